"""`voicecoach remind --every 30m`: says out loud, now and then, to avoid long sitting or standing.

The seed: "Avoid prolonged periods of sitting or standing, as movement helps maintain
blood flow and prevents muscles from tightening further." How often is the person's
choice; the seed gives no interval, so there is no default. The loop is bounded by
--for (default 8 hours, a long working day; not health advice), "quit" by voice or key,
and Ctrl-C (the CLI catches it and ends cleanly). "stop" and "pain" go to the one handler
(core/urgent.py), as in a routine: the reminders carry on only when the person says so.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from voicecoach.core.lines import REMINDER
from voicecoach.core.ports import Clock, Command, Display, Listener, Log, Safety, Speaker
from voicecoach.core.urgent import CheckEnded, CommandLoop
from voicecoach.core.wording import SPOKEN, Wording

MIN_INTERVAL_SECONDS = 60.0
"""Shorter than a minute would be nagging, not reminding."""
MAX_SECONDS = 24 * 3600.0
"""No interval or run longer than a day."""
DEFAULT_RUN = "8h"

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|sec|secs|m|min|mins|h|hr|hrs)?$")
_SECONDS_PER = {"s": 1, "sec": 1, "secs": 1, "m": 60, "min": 60, "mins": 60}
_SECONDS_PER.update({"h": 3600, "hr": 3600, "hrs": 3600})


class RemindError(ValueError):
    """An interval that cannot be used; the message is one line for the person."""


def parse_duration(text: str) -> float:
    """ "30m", "1h", "90s", "1.5h" -> seconds; a bare number ("45") is minutes."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise RemindError(f"Can't read {text!r} as a time: try 30m, 1h or 45 (minutes).")
    seconds = float(match.group(1)) * _SECONDS_PER.get(match.group(2) or "m", 60)
    if not math.isfinite(seconds) or seconds > MAX_SECONDS:
        raise RemindError(f"{text!r} is longer than a day.")
    return seconds


@dataclass(frozen=True)
class RemindPlan:
    """When to remind."""

    every_seconds: float
    """Seconds between reminders, as the person hears them."""
    run_seconds: float
    """How long to keep reminding before ending on its own."""
    time_scale: float = 1.0
    """Multiplies the loop's time, as for routines: 0.001 runs a thousand times faster
    (demos and tests); 1 is real time."""


def plan_reminders(every: str, run_for: str = DEFAULT_RUN, time_scale: float = 1.0) -> RemindPlan:
    every_seconds = parse_duration(every)
    if every_seconds < MIN_INTERVAL_SECONDS:
        raise RemindError("Remind at most once a minute: try --every 30m.")
    run_seconds = parse_duration(run_for)
    if run_seconds < every_seconds:
        raise RemindError("--for must be at least as long as --every.")
    if not (math.isfinite(time_scale) and 0 < time_scale <= 10):
        raise RemindError("The time scale must be above 0 and at most 10.")
    return RemindPlan(every_seconds, run_seconds, time_scale)


def run_reminders(
    plan: RemindPlan,
    speaker: Speaker,
    listener: Listener,
    clock: Clock,
    display: Display,
    safety: Safety,
    log: Log,
    wording: Wording = SPOKEN,
) -> int:
    """Say the reminder every interval until the run ends, "quit", or a check after "stop"
    or "pain" that ends them; returns how many were said."""
    loop = CommandLoop(speaker, listener, clock, safety, log)
    start = clock.now()
    end = start + plan.run_seconds * plan.time_scale
    step = plan.every_seconds * plan.time_scale
    display.show_status(f"Reminders on. {wording.Do(Command.QUIT)}, or Ctrl-C, to end them.")
    said = 0
    next_at = start + step
    try:
        while next_at <= end:
            heard = loop.next_command(max(0.0, next_at - clock.now()))
            if heard is not None:
                if heard.command is Command.QUIT:
                    break
                continue  # anything else: keep waiting for the same reminder time
            display.show_step("Reminder", REMINDER)
            said += 1
            loop.say(REMINDER)
            next_at += step
    except CheckEnded:
        pass  # the check said what comes next; the reminders end
    return said
