"""Running a routine for real: the engine on the coach that wiring.open_coach builds
(speech, keys, voice and the log).

Whatever is missing (speaker, microphone) is said once, plainly, and the session goes
on without it. Ctrl-C and SIGTERM end the session as interrupted, saved, with the
terminal restored.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from voicecoach.commands.care_commands import LogbookEpisodes, safety_for, session_opening
from voicecoach.commands.enrol import run_enrol
from voicecoach.commands.enrol_offer import offer_enrolment
from voicecoach.commands.wiring import AudioOptions, Coach, open_coach
from voicecoach.core.asking import ask_pain_score
from voicecoach.core.engine import Engine, Ports
from voicecoach.core.episode import local_now
from voicecoach.core.plan import Plan, build_plan, spoken_lines
from voicecoach.core.ports import Command, Listener, Outcome
from voicecoach.core.routines import Routine, find_in, load_catalogue
from voicecoach.core.settings import SessionSettings
from voicecoach.core.wording import Wording
from voicecoach.listening.enrolled import ENROL_WORDS

EXIT_CODES = {
    Outcome.COMPLETED: 0,
    Outcome.QUIT: 0,
    Outcome.STOPPED_FOR_PAIN: 0,
    Outcome.URGENT: 0,
    Outcome.INTERRUPTED: 130,
}


def find_routine(name: str) -> Routine:
    catalogue = load_catalogue()
    for error in catalogue.errors:
        print(f"warning: {error}", file=sys.stderr)
    return find_in(catalogue, name)


class _Terminated(SystemExit):
    """SIGTERM or SIGHUP, raised in the main thread so the session ends the usual way."""


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise _Terminated(128 + signum)


@contextmanager
def _signals_as_exit() -> Iterator[None]:
    """SIGTERM (kill) and SIGHUP (terminal closed) end the session like Ctrl-C: saved."""
    caught = (signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, _on_signal) for signum in caught}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _engine(plan: Plan, settings: SessionSettings, coach: Coach) -> Engine:
    # Episodes live in the log: with a damaged log there is no episode to go by.
    store = LogbookEpisodes() if coach.stored else None
    wording = Wording(coach.listening)

    def ask_pain(when: str, listener: Listener) -> int | None:
        return ask_pain_score(
            coach.speaker,
            listener,
            coach.log,
            when,
            coach.display,
            wording=wording,
            leave_on=frozenset({Command.QUIT}),  # q ends the session at any moment
        )

    ports = Ports(
        coach.speaker,
        coach.listener,
        coach.clock,
        coach.display,
        coach.log,
        safety=safety_for(coach, store),
        ask_pain_score=ask_pain,
    )
    session_opening(coach.speaker, coach.display, store, local_now(), commands=coach.inbox)
    return Engine(plan, settings, ports, listening=coach.listening)


def run_routine(name: str, settings: SessionSettings, options: AudioOptions) -> int:
    """Run a routine out loud; returns the process exit code."""
    routine = find_routine(name)
    try:
        with _signals_as_exit(), open_coach(options, settings.time_scale) as coach:
            plan = build_plan(routine, settings, listening=coach.listening)
            coach.prerender(spoken_lines(plan))
            outcome = _engine(plan, settings, coach).run()
            enrol_now = offer_enrolment(coach, outcome, settings.time_scale)
        if enrol_now:  # the session's microphone and speaker are closed: enrol opens its own
            run_enrol(ENROL_WORDS, options.mic, options.speak)
    except KeyboardInterrupt:
        return EXIT_CODES[Outcome.INTERRUPTED]
    except _Terminated as ended:
        return int(ended.code or 143)
    return EXIT_CODES[outcome]
