"""What the care commands do (redflags, therapy, care, remind, episode), with their
ports (care_io.open_care_io), log and episode store passed in, so cli.py stays thin and
tests can drive them with fakes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from voicecoach import logbook
from voicecoach.commands.care_io import CoachIO
from voicecoach.core.care import DISCLAIMER_LINES, care_summary_lines
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
from voicecoach.core.wording import Wording

STANDALONE_INTRO = "The red-flag check: a few quick safety questions."
ALL_CLEAR = (
    "If the pain has not improved, or is worse, after 72 hours of home care, "
    "consult a healthcare provider."
)


@contextmanager
def open_care_log(notice: Callable[[str], None]) -> Iterator[Log]:
    """The session log for a care command (voicecoach.logbook), closed on the way out.
    `notice` hears, once, why a damaged log file will not be written (the command then
    runs with a NullLog)."""
    log = logbook.open_session_log(notice)
    try:
        yield log
    finally:
        if isinstance(log, logbook.SqliteLog):
            log.close()


def safety_for(io: CoachIO, log: Log, store: EpisodeStore | None = None) -> SpokenSafetyCheck:
    """The spoken safety check on these ports, with the episode's hours when there is a store."""
    return SpokenSafetyCheck(
        io.speaker,
        io.listener,
        io.clock,
        io.display,
        log,
        episode_hours=(lambda: hours_now(store)) if store is not None else (lambda: None),
        listening=io.listening,
    )


def redflags(io: CoachIO, log: Log) -> AfterCheck | None:
    """`voicecoach redflags`: ask the urgent flags; URGENT, END (unanswered) or None (all no)."""
    log.session_started("redflags", {})
    found = safety_for(io, log).check_red_flags(intro=STANDALONE_INTRO)
    if found is None:
        io.display.show_step("Red-flag check", ALL_CLEAR)
        io.speaker.say(ALL_CLEAR)
    log.session_ended(Outcome.URGENT.value if found is AfterCheck.URGENT else "completed")
    return found


def therapy(
    io: CoachIO,
    log: Log,
    kind: str,
    minutes: float | None,
    time_scale: float = 1.0,
    store: EpisodeStore | None = None,
    marker: Path | None = None,
) -> Outcome:
    """`voicecoach therapy cold|heat`; raises TherapyError (one line) before anything is said."""
    plan = plan_therapy(kind, minutes, time_scale)
    commands = io.listener if isinstance(io.listener, Inbox) else None
    session_opening(io.speaker, io.display, store, local_now(), marker, commands)
    safety = safety_for(io, log, store)
    words = Wording(io.listening)
    return run_therapy(plan, io.speaker, io.listener, io.clock, io.display, log, safety, words)


def care(out: Callable[[str], None], speaker: Speaker | None = None) -> None:
    """`voicecoach care`: print the care summary; also say it when a speaker is given."""
    for line in care_summary_lines():
        out(line)
        if speaker is not None:
            speaker.say(line)


def disclaimer(out: Callable[[str], None], speaker: Speaker | None = None) -> None:
    """The first-run notice: printed, and said when a speaker is given."""
    for line in DISCLAIMER_LINES:
        out(line)
        if speaker is not None:
            speaker.say(line)


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
    "stop" and "pain" end the opening at once and are left for the session to act on.
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
        if any(heard.command in URGENT_COMMANDS for heard in taken):
            after = []
            break
        if any(means_next(heard) for heard in taken):
            break
    for line in after:
        speaker.say(line)
    if notice:
        _mark_notice_given(marker)
    return lines


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


def remind(io: CoachIO, every: str, run_for: str, time_scale: float = 1.0) -> int:
    """`voicecoach remind --every 30m`; raises RemindError (one line) on a bad interval."""
    plan = plan_reminders(every, run_for, time_scale)
    return run_reminders(plan, io.speaker, io.listener, io.clock, io.display, Wording(io.listening))


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

    def pain_scores(self, since: datetime) -> list[tuple[datetime, int, str]]:
        return logbook.pain_scores(since, self._path)
