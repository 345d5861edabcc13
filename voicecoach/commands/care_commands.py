"""What the care commands do (redflags, therapy, care, remind, episode), with their
ports and log (a wiring.Coach) and episode store passed in, so cli.py stays thin and
tests can drive them with fakes. "stop" and "pain" work in every one of them as in a
routine (core/urgent.py).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from voicecoach import logbook
from voicecoach.commands.wiring import Coach
from voicecoach.core import lines
from voicecoach.core.asking import Voice, ask_yes_no
from voicecoach.core.care import DISCLAIMER_LINES, Thermal, care_summary_lines, thermal_for_hours
from voicecoach.core.controls import key_for
from voicecoach.core.episode import (
    EpisodeStore,
    episode_status,
    hours_now,
    local_now,
    opening_lines,
    start_episode,
)
from voicecoach.core.inbox import Inbox
from voicecoach.core.ports import (
    URGENT_COMMANDS,
    AfterCheck,
    Command,
    Display,
    Heard,
    Log,
    Outcome,
    Speaker,
    means_next,
)
from voicecoach.core.remind import plan_reminders, run_reminders
from voicecoach.core.safety import SpokenSafetyCheck
from voicecoach.core.therapy import plan_therapy, run_therapy
from voicecoach.core.urgent import CheckEnded, CommandLoop
from voicecoach.core.wording import Wording

STANDALONE_INTRO = "The red-flag check: a few quick safety questions."
ALL_CLEAR = (
    "If the pain has not improved, or is worse, after 72 hours of home care, "
    "consult a healthcare provider."
)


def safety_for(coach: Coach, store: EpisodeStore | None = None) -> SpokenSafetyCheck:
    """The spoken safety check on these ports, with the episode's hours when there is a store."""
    return SpokenSafetyCheck(
        coach.speaker,
        coach.listener,
        coach.clock,
        coach.display,
        coach.log,
        episode_hours=(lambda: hours_now(store)) if store is not None else (lambda: None),
        listening=coach.listening,
    )


def command_loop(coach: Coach, store: EpisodeStore | None = None) -> CommandLoop:
    """How a care command speaks and waits: "stop" and "pain" as in a routine."""
    return CommandLoop(
        coach.speaker, coach.listener, coach.clock, safety_for(coach, store), coach.log
    )


def redflags(coach: Coach) -> AfterCheck | None:
    """`voicecoach redflags`: ask the urgent flags; URGENT, END (unanswered) or None (all no).

    "pain" during it starts the check again (with the follow-up a routine has); "stop"
    asks whether the person is in pain; the check starts again when they carry on."""
    coach.prerender()
    log = coach.log
    log.session_started("redflags", {})
    check = safety_for(coach)
    loop = CommandLoop(coach.speaker, coach.listener, coach.clock, check, coach.log)
    try:
        found = loop.guard(lambda: check.check_red_flags(intro=STANDALONE_INTRO))
        if found is None:
            coach.display.show_step("Red-flag check", ALL_CLEAR)
            loop.say(ALL_CLEAR)
    except CheckEnded as ended:
        found = ended.decision
    log.session_ended(Outcome.URGENT.value if found is AfterCheck.URGENT else "completed")
    return found


def therapy(
    coach: Coach,
    kind: str,
    minutes: float | None,
    time_scale: float = 1.0,
    store: EpisodeStore | None = None,
    marker: Path | None = None,
) -> Outcome:
    """`voicecoach therapy cold|heat`; raises TherapyError (one line) before anything is said."""
    plan = plan_therapy(kind, minutes, time_scale)
    coach.prerender()
    session_opening(coach.speaker, coach.display, store, local_now(), marker, coach.inbox)
    if plan.kind == "heat" and not _heat_wanted_this_early(coach, store):
        return Outcome.QUIT
    c = coach
    safety = safety_for(c, store)
    words = Wording(c.listening)
    return run_therapy(plan, c.speaker, c.listener, c.clock, c.display, c.log, safety, words)


def _heat_wanted_this_early(coach: Coach, store: EpisodeStore | None) -> bool:
    """Heat in the first 48 hours of a recorded episode goes against the care text (cold
    first): say so and start only on a yes."""
    hours = None if store is None else hours_now(store)
    if hours is None or thermal_for_hours(hours) is not Thermal.COLD:
        return True
    words = Wording(coach.listening)
    voice = Voice(coach.speaker, coach.listener, coach.display, "Heat therapy", words)
    voice.tell(lines.heat_too_early(hours))
    if ask_yes_no(voice, lines.heat_anyway(words)):
        return True
    voice.tell(lines.COLD_FIRST)
    return False


def care(out: Callable[[str], None], coach: Coach | None = None) -> None:
    """`voicecoach care`: print the care summary; also say it when there is a coach."""
    _print_and_say("care", care_summary_lines(), out, coach)


def disclaimer(out: Callable[[str], None], coach: Coach | None = None) -> None:
    """The first-run notice: printed, and said when there is a coach."""
    _print_and_say("notice", DISCLAIMER_LINES, out, coach)


def _print_and_say(
    name: str, text_lines: Sequence[str], out: Callable[[str], None], coach: Coach | None
) -> None:
    """Print every line; say them when there is a coach, until a check after "stop" or
    "pain" ends the reading."""
    if coach is None:
        for line in text_lines:
            out(line)
        return
    coach.prerender()
    log = SessionOnFirstEvent(coach.log, name)
    loop = command_loop(_with_log(coach, log))
    try:
        for line in text_lines:
            out(line)
            loop.say(line)
    except CheckEnded as ended:
        log.session_ended(ended.decision.value)
        return
    log.session_ended(Outcome.COMPLETED.value)


class SessionOnFirstEvent:
    """The log of a command that keeps no session of its own (remind, care --speak): a
    check after "stop" or "pain" is still recorded, in a session named for the command
    started at its first event."""

    def __init__(self, log: Log, name: str) -> None:
        self.log = log
        self.name = name
        self.started = False

    def session_started(self, routine: str, settings: dict[str, Any]) -> None:
        self.started = True
        self.log.session_started(routine, settings)

    def event(self, kind: str, **data: Any) -> None:
        if not self.started:
            self.session_started(self.name, {})
        self.log.event(kind, **data)

    def session_ended(self, outcome: str) -> None:
        if self.started:
            self.log.session_ended(outcome)


def _with_log(coach: Coach, log: Log) -> Coach:
    return dataclasses.replace(coach, log=log)


NOTICE_MARKER_NAME = "first-run-notice-shown"


def notice_marker() -> Path:
    """The file whose presence means the first-run notice has been given: in the data
    folder, $VOICECOACH_DATA_DIR when set (as the session log does), else the platform's."""
    override = os.environ.get("VOICECOACH_DATA_DIR")
    if override:
        return Path(override).expanduser() / NOTICE_MARKER_NAME
    import platformdirs

    return platformdirs.user_data_path("voicecoach", appauthor=False) / NOTICE_MARKER_NAME


def session_opening(
    speaker: Speaker,
    display: Display,
    store: EpisodeStore | None,
    now: datetime,
    marker: Path | None = None,
    commands: Inbox | None = None,
) -> list[str]:
    """What every session (routine, therapy) begins with; says and shows it, returns it.

    The first time ever: the notice (home-care guidance, not a diagnosis; the red flags).
    Every time once it applies: the 72-hour rule's "consult a healthcare provider".
    The notice is 40-55 s of speech: "next" (or its key) among `commands` ends it after
    the sentence being said, while the whole of it, red flags too, stays on screen.
    "stop", "pain" and "quit" end the opening at once and are left for the session.
    """
    marker = marker or notice_marker()
    notice = [] if marker.exists() else list(DISCLAIMER_LINES)
    after = opening_lines(store, now) if store is not None else []
    lines = notice + after
    if lines:
        display.show_notice("Before you start", lines)
    if notice and commands is not None:
        display.show_status(NOTICE_SKIP_HINT)
    for line in notice:
        speaker.say(line)
        taken = _commands_while_speaking(commands)
        if any(heard.command in ENDS_THE_OPENING for heard in taken):
            after = []
            break
        if any(means_next(heard) for heard in taken):
            break
    for line in after:
        speaker.say(line)
    if notice:
        _mark_notice_given(marker)
    return lines


ENDS_THE_OPENING = URGENT_COMMANDS | {Command.QUIT}
"""Commands that end the opening at once and are left for the session to act on."""
NOTICE_SKIP_HINT = f"Press {key_for(Command.NEXT)} to skip the spoken notice; it stays on screen."


def _commands_while_speaking(commands: Inbox | None) -> list[Heard]:
    """The commands that came while a line was said. A "next" is used up here (it must not
    also skip the session's first step); any other is put back for the session."""
    if commands is None:
        return []
    taken: list[Heard] = []
    while (heard := commands.next_command(0)) is not None:
        taken.append(heard)
    for heard in taken:
        if not means_next(heard):
            commands.put(heard)
    return taken


def _mark_notice_given(marker: Path) -> None:
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass  # a read-only home: the notice is simply given again next time


def remind(
    coach: Coach,
    every: str,
    run_for: str,
    time_scale: float = 1.0,
    store: EpisodeStore | None = None,
) -> int:
    """`voicecoach remind --every 30m`; raises RemindError (one line) on a bad interval."""
    plan = plan_reminders(every, run_for, time_scale)
    coach.prerender()
    log = SessionOnFirstEvent(coach.log, "remind")
    c = _with_log(coach, log)
    safety = safety_for(c, store)
    words = Wording(c.listening)
    try:
        return run_reminders(plan, c.speaker, c.listener, c.clock, c.display, safety, log, words)
    finally:
        log.session_ended(Outcome.COMPLETED.value)


def episode_start(store: EpisodeStore, when: str, now: datetime) -> list[str]:
    """`voicecoach episode start [--at WHEN]`: record it; the lines to print after."""
    moment = start_episode(store, when, now)
    lines = [f"Episode started {moment.astimezone().strftime('%Y-%m-%d %H:%M')}."]
    status = episode_status(store, now)
    return lines + (status.lines()[1:] if status else [])


def episode_status_lines(store: EpisodeStore, now: datetime) -> list[str]:
    """`voicecoach episode status`: hours since the start, cold/heat advice, the 72 h rule."""
    status = episode_status(store, now)
    if status is None:
        return ["No episode recorded. Start one with: voicecoach episode start --at '2h ago'"]
    return status.lines()


class LogbookEpisodes:
    """EpisodeStore over the session log's episode functions (voicecoach.logbook)."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path

    def start_episode(self, at: datetime) -> None:
        logbook.start_episode(at, self._path)

    def current_episode(self) -> datetime | None:
        return logbook.current_episode(self._path)

    def end_episode(self) -> bool:
        return logbook.end_episode(self._path)

    def pain_scores(self, since: datetime) -> list[tuple[datetime, int, str]]:
        return logbook.pain_scores(since, self._path)
