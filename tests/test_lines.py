"""Every fixed line the coach says is in core/lines.py's every_line(), the list the
self-hearing test speaks in the coach's voice: sessions, the safety flow, questions asked
again and the timers are run with fakes, and what they said is looked up there (numbers
aside in the timers: every_line samples them)."""

from __future__ import annotations

import re

from tests.test_care_seed import scripted_lines
from tests.test_engine import Session
from voicecoach.core.lines import (
    CARRYING_ON,
    GONE_QUIET,
    HELP_WORDS,
    REST_OVER,
    SKIPPING,
    every_line,
    no_timer,
)
from voicecoach.core.plan import build_plan, spoken_lines
from voicecoach.core.ports import AfterCheck, Command


def _without_numbers(line: str) -> str:
    return re.sub(r"\d+", "N", line)


def test_every_line_said_in_the_safety_flow_and_timers_is_listed() -> None:
    listed = {_without_numbers(line) for line in every_line(True) + every_line(False)}
    said = set(scripted_lines())
    assert len(said) > 30
    assert {line for line in said if _without_numbers(line) not in listed} == set()


def _engine_sessions() -> list[Session]:
    """Sessions on the fake clock that ask for help, time left (in a hold and out of one),
    pause, resume, skip, rest after pain, quit, and one where nobody answers."""
    asks = Session()
    asks.answer_ready()
    for delay, command in ((2.0, Command.HELP), (4.0, Command.HOW_LONG), (6.0, Command.PAUSE)):
        asks.listener.answer_when_said("Hold for 30", command, delay=delay, times=1)
    asks.listener.answer_when_said("Paused", Command.RESUME, delay=2.0, times=1)
    asks.listener.answer_when_said("pelvic tilt", Command.HOW_LONG, delay=0.5, times=1)
    asks.listener.answer_when_said("left knee toward", Command.SKIP, delay=1.0, times=1)
    asks.listener.answer_when_said("log roll", Command.QUIT, delay=0.5, times=1)
    rests = Session(safety=AfterCheck.REST)
    rests.answer_ready()
    rests.listener.answer_when_said("pelvic tilt", Command.PAIN, delay=0.5, times=1)
    quiet = Session()
    return [asks, rests, quiet]


def test_every_line_the_engine_says_is_listed() -> None:
    listed = set(every_line(True))
    said: set[str] = set()
    for session in _engine_sessions():
        session.run()
        listed |= set(spoken_lines(build_plan(session.engine.plan.routine, session.settings)))
        said |= {text for text in session.speaker.texts() if not text.startswith("<")}
    assert {SKIPPING, CARRYING_ON, REST_OVER, HELP_WORDS, no_timer(True), GONE_QUIET} <= said
    known = {_without_numbers(line) for line in listed}
    assert {line for line in said if _without_numbers(line) not in known} == set()
