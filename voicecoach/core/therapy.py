"""A spoken timer for one cold or heat application.

What the seed gives, and what this timer does with it:
- Cold: "applied intermittently for no more than 15 to 20 minutes at a time". A cold
  timer runs at most 20 minutes (more is refused); 15 minutes when --minutes is not
  given (the careful end of the range). Shorter is allowed: the seed sets a ceiling,
  not a minimum.
- Heat: the seed gives no duration, so none is invented: heat needs --minutes
  (capped only at MAX_TIMER_MINUTES, a guard against typing mistakes, not advice).
- When the next application may start: the seed says only "intermittently", so the
  end word says to take a break before the next cold pack, with no number. For heat
  the seed says nothing, and the end word says nothing about a next one.
The timer is timed from the clock (monotonic) while it waits on the listener: the time
spent speaking counts, and there are no sleeps. Pause, resume, quit and "how long" work
by voice or keys; "stop" and "pain" go to the one handler (core/urgent.py), as in a
routine, at any moment: speaking, timing or paused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from voicecoach.core import lines
from voicecoach.core.ports import (
    AfterCheck,
    Clock,
    Command,
    Display,
    Heard,
    Listener,
    Log,
    Outcome,
    Safety,
    Speaker,
)
from voicecoach.core.urgent import AFTER_CHECK, CheckEnded, CommandLoop
from voicecoach.core.wording import SPOKEN, Wording

COLD_MAX_MINUTES = 20.0
"""Seed: cold "for no more than 15 to 20 minutes at a time"."""
COLD_DEFAULT_MINUTES = 15.0
"""When --minutes is not given for cold: the lower end of the seed's 15 to 20."""
MAX_TIMER_MINUTES = 180.0
"""Longest timer accepted for heat; a typing-mistake guard, not health advice."""
MAX_PAUSE_SECONDS = 600.0
"""A pause longer than this (in timer seconds) ends the timer: nobody is answering."""
DISPLAY_EVERY_SECONDS = 1.0
MAX_TIME_SCALE = 10.0
"""The same bound as a routine's --time-scale."""
ON_TIME = 1e-4
"""A mark this close (in seconds) counts as reached: clock arithmetic in floating point can
leave a remainder too small to wait for."""


class TherapyError(ValueError):
    """A timer that cannot be started as asked; the message is one line for the person."""


@dataclass(frozen=True)
class TherapyPlan:
    """One cold or heat application."""

    kind: str
    """ "cold" or "heat"."""
    minutes: float
    """How long the application lasts, in minutes (as the person hears it)."""
    time_scale: float = 1.0
    """Multiplies the timer's time, as for routines: 0.05 runs twenty times faster (demos
    and tests); 1 is real time."""

    @property
    def total_seconds(self) -> float:
        """Seconds on the clock the application takes, after the time scale."""
        return self.minutes * 60.0 * self.time_scale


def plan_therapy(kind: str, minutes: float | None = None, time_scale: float = 1.0) -> TherapyPlan:
    """Check the request against the seed's limits; raise TherapyError with a clear reason."""
    if kind not in ("cold", "heat"):
        raise TherapyError(f"Unknown therapy {kind!r}: choose cold or heat.")
    if not (math.isfinite(time_scale) and 0 < time_scale <= MAX_TIME_SCALE):
        raise TherapyError(f"The time scale must be above 0 and at most {MAX_TIME_SCALE:g}.")
    if minutes is None:
        if kind == "heat":
            raise TherapyError(
                "Heat has no set time in the home-care guidance: choose one with --minutes N."
            )
        minutes = COLD_DEFAULT_MINUTES
    if not (math.isfinite(minutes) and minutes > 0):
        raise TherapyError("The minutes must be a number above 0.")
    if kind == "cold" and minutes > COLD_MAX_MINUTES:
        raise TherapyError(
            f"Cold is limited to {COLD_MAX_MINUTES:g} minutes at a time "
            "(no more than 15 to 20 minutes); choose --minutes 20 or less."
        )
    if minutes > MAX_TIMER_MINUTES:
        raise TherapyError(f"A timer can run at most {MAX_TIMER_MINUTES:g} minutes.")
    return TherapyPlan(kind, minutes, time_scale)


class TherapyTimer:
    """Runs one application; run() returns how it ended."""

    def __init__(
        self,
        plan: TherapyPlan,
        speaker: Speaker,
        listener: Listener,
        clock: Clock,
        display: Display,
        log: Log,
        safety: Safety,
        wording: Wording = SPOKEN,
    ) -> None:
        self.plan = plan
        self.words = wording
        self.speaker = speaker
        self.loop = CommandLoop(speaker, listener, clock, safety, log)
        self.clock = clock
        self.display = display
        self.log = log
        self.started = 0.0
        self.paused_seconds = 0.0
        """Clock seconds spent paused: not application time (nor is time in checks)."""
        self._checked_at_start = 0.0
        self.last_line = ""

    @property
    def elapsed(self) -> float:
        """Clock seconds the application has been running, pauses and checks left out."""
        checked = self.loop.checked_seconds - self._checked_at_start
        return self.clock.now() - self.started - self.paused_seconds - checked

    @property
    def remaining(self) -> float:
        return max(0.0, self.plan.total_seconds - self.elapsed)

    def run(self) -> Outcome:
        self.log.session_started(
            f"therapy {self.plan.kind}",
            {"minutes": self.plan.minutes, "time_scale": self.plan.time_scale},
        )
        try:
            outcome = self._run()
        except CheckEnded as ended:
            outcome = self._after_check(ended.decision)
        self.log.session_ended(outcome.value)
        return outcome

    def _run(self) -> Outcome:
        total = self.plan.total_seconds
        self._say(lines.therapy_start(self.plan.kind, self.plan.minutes))
        self.started = self.clock.now()
        self._checked_at_start = self.loop.checked_seconds
        halfway_said = False
        while self.elapsed < total - ON_TIME:
            until_halfway = total / 2 - self.elapsed if not halfway_said else math.inf
            heard = self.loop.next_command(
                max(0.0, min(DISPLAY_EVERY_SECONDS, until_halfway, total - self.elapsed))
            )
            if not halfway_said and total / 2 - ON_TIME <= self.elapsed < total - ON_TIME:
                halfway_said = True
                self._say(lines.therapy_halfway(self.plan.minutes))
            self.display.show_hold(self.remaining, total)
            if heard is None:
                continue
            ended = self._handle(heard)
            if ended is not None:
                return ended
        for line in lines.therapy_end(self.plan.kind):
            self._say(line)
        return Outcome.COMPLETED

    def _handle(self, heard: Heard) -> Outcome | None:
        """Act on a command; an Outcome ends the timer."""
        command = heard.command
        if command is Command.QUIT:
            return self._quit()
        if command is Command.PAUSE:
            return self._paused()
        if heard.source == AFTER_CHECK:
            self._back_to_the_timer()
        elif command is Command.HOW_LONG:
            self._say(lines.to_go(self._remaining_minutes()))
        elif command is Command.REPEAT:
            self._say(self.last_line)
        elif command is Command.HELP:
            self._say(lines.timer_help(self.words))
        return None

    def _quit(self, say: bool = True) -> Outcome:
        line = lines.timer_stopped(self.plan.kind)
        if say:
            self._say(line)
        else:  # the check has just ended the timer: this last line is not a new flow
            self.display.show_step(f"{self.plan.kind.capitalize()} therapy", line)
            self.speaker.say(line)
        return Outcome.QUIT

    def _paused(self) -> Outcome | None:
        """Hold the time until resume; quit or a long silence ends the timer."""
        began, checked = self.clock.now(), self.loop.checked_seconds
        try:
            return self._wait_paused()
        finally:  # time in a check while paused is already left out by the loop
            checks = self.loop.checked_seconds - checked
            self.paused_seconds += self.clock.now() - began - checks

    def _wait_paused(self) -> Outcome | None:
        self.display.show_status("Paused")
        self._say(lines.timer_paused(self.words))
        limit = self.clock.now() + MAX_PAUSE_SECONDS * self.plan.time_scale
        while self.clock.now() < limit:
            heard = self.loop.next_command(limit - self.clock.now())
            if heard is None:
                break
            if heard.source == AFTER_CHECK:
                self._back_to_the_timer()
                return None
            if heard.command in (Command.RESUME, Command.PAUSE, Command.NEXT):
                self._say(lines.timer_carrying_on(self._remaining_minutes()))
                return None
            if heard.command is Command.QUIT:
                return self._quit()
        return self._quit()

    def _after_check(self, after: AfterCheck) -> Outcome:
        """The check ended the timer: urgent says no more; end or skip stops the timer."""
        if after is AfterCheck.URGENT:
            return Outcome.URGENT
        return self._quit(say=False)

    def _back_to_the_timer(self) -> None:
        self._say(lines.back_to_timer(self._remaining_minutes()))

    def _remaining_minutes(self) -> float:
        return self.remaining / self.plan.time_scale / 60

    def _say(self, line: str) -> None:
        self.last_line = line
        self.display.show_step(f"{self.plan.kind.capitalize()} therapy", line)
        self.loop.say(line)


def run_therapy(
    plan: TherapyPlan,
    speaker: Speaker,
    listener: Listener,
    clock: Clock,
    display: Display,
    log: Log,
    safety: Safety,
    wording: Wording = SPOKEN,
) -> Outcome:
    """Run one cold or heat application out loud; see TherapyTimer."""
    return TherapyTimer(plan, speaker, listener, clock, display, log, safety, wording).run()
