"""End to end, with real audio: the coach runs as its own process, speaks into a PulseAudio
null sink, and listens to a virtual microphone that espeak-ng words are played into.

What a person would notice, checked here:
  - "next" said during a hold ends it: the release line follows within ~2 s of the word;
  - "stop" said while the coach is mid-sentence silences it within 500 ms of the end of
    the word, and "Are you in pain?" is asked;
  - "pain" said mid-hold is followed within a second (two allowed under load) by the first
    red-flag question, and
    a spoken "yes" ends the session as urgent, with the answer in the log.

Times are measured at the sinks' monitors (what a microphone heard, what a speaker
played) on the same monotonic clock as the coach's printed lines; see tests/voice_rig.py
and tests/voice_scenarios.py (shared with scripts/bench_voice_end_to_end.py).
Every wait is bounded, and a watchdog kills a coach that hangs.

Run: .venv/bin/python -m pytest tests/test_voice_end_to_end.py -s   (-s prints the times)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import voice_rig
from tests.voice_rig import LiveMonitor, VirtualRoom, room_for_tests
from tests.voice_scenarios import (
    HOLD_OPTIONS,
    HOLD_ROUTINE,
    LONG_LINE_ROUTINE,
    next_during_hold,
    pain_mid_hold,
    start_coach,
    stop_mid_sentence,
)

pytestmark = pytest.mark.audio

PAIN_TO_QUESTION_LIMIT = 2.0
"""Seconds from the end of "pain" to the first red-flag question. The goal is 1 s, measured
by scripts/bench_voice_end_to_end.py (median ~360 ms); this test runs beside other work on
shared cores and once took 1.45 s, so it checks twice the goal: what it must catch, the
question waiting for the hold's next count (9 s away here), for a line to end or for a
second utterance, all take longer than that."""


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtualRoom]:
    """The two sinks and the microphone's hiss, shared by the tests of this file."""
    with room_for_tests(tmp_path_factory.mktemp("room")) as room:
        yield room


@pytest.fixture
def monitors(room: VirtualRoom) -> Iterator[tuple[LiveMonitor, LiveMonitor]]:
    """(microphone, speaker): both monitors heard live for the length of one test."""
    mic, speaker = LiveMonitor(room.voice.monitor), LiveMonitor(room.speaker.monitor)
    try:
        mic.wait_streaming()
        speaker.wait_streaming()
        # The recogniser is meant to hear a microphone's own noise, never digital zeros.
        assert min(mic.levels()[-5:]) > 1.0, "the hiss is not reaching the virtual microphone"
        yield mic, speaker
    finally:
        mic.close()
        speaker.close()


def logged_session(folder: Path, room: VirtualRoom) -> dict[str, Any]:
    """The one session in the coach's log (`voicecoach history --json`)."""
    sessions = voice_rig.history(voice_rig.coach_env(room, folder))
    assert len(sessions) == 1, sessions
    return sessions[0]


def of_kind(session: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The data of the session's events of one kind."""
    return [e["data"] for e in session["events"] if e["kind"] == kind]


def test_next_said_during_a_hold_ends_it(
    room: VirtualRoom, monitors: tuple[LiveMonitor, LiveMonitor], tmp_path: Path
) -> None:
    mic, speaker = monitors
    coach = start_coach(room, tmp_path, HOLD_ROUTINE, *HOLD_OPTIONS)
    try:
        step = next_during_hold(room, coach, mic, speaker)
        assert coach.finish(timeout=20) == 0
    finally:
        coach.close()
    print(
        f"'next' end -> hold-end cue heard {step.to_heard * 1000:.0f} ms, "
        f"release line {step.to_release * 1000:.0f} ms (said {step.attempts} time(s): "
        f"{'; '.join(step.listened)})"
    )
    assert step.to_heard < 1.0, coach.transcript()
    assert step.to_release < 2.0, coach.transcript()
    session = logged_session(tmp_path, room)
    assert session["outcome"] == "completed"
    (hold,) = of_kind(session, "hold")
    assert hold["ended_early"] is True and hold["actual_s"] < 10.0
    commands = [(e["command"], e["source"]) for e in of_kind(session, "command")]
    assert ("next", "voice") in commands


def test_stop_said_mid_sentence_silences_the_coach_within_half_a_second(
    room: VirtualRoom, monitors: tuple[LiveMonitor, LiveMonitor], tmp_path: Path
) -> None:
    mic, speaker = monitors
    coach = start_coach(room, tmp_path, LONG_LINE_ROUTINE)
    try:
        stop = stop_mid_sentence(room, coach, mic, speaker)
        coach.press("n")  # not in pain: it stays paused until told to carry on or quit
        coach.wait_for(r"Still paused", timeout=20, after=stop.paused_shown)
        coach.press("q")
        assert coach.finish(timeout=20) == 0
    finally:
        coach.close()
    print(f"'stop' end -> coach silent: {stop.to_silence * 1000:.0f} ms")
    assert stop.to_silence <= 0.5, coach.transcript()
    session = logged_session(tmp_path, room)
    assert ("stop", "voice") in [(e["command"], e["source"]) for e in of_kind(session, "command")]
    assert of_kind(session, "in_pain") == [{"answer": "no"}]


def test_pain_said_mid_hold_leads_to_the_red_flags_and_a_spoken_yes_ends_it_as_urgent(
    room: VirtualRoom, monitors: tuple[LiveMonitor, LiveMonitor], tmp_path: Path
) -> None:
    mic, speaker = monitors
    coach = start_coach(room, tmp_path, HOLD_ROUTINE, *HOLD_OPTIONS)
    try:
        pain = pain_mid_hold(room, coach, mic, speaker)
        # "yes" only counts once the coach has finished saying "say yes or no".
        voice_rig.wait_for_quiet(speaker, since=pain.question_heard, quiet=0.8, timeout=20)
        room.say("yes", heard_by=mic)
        coach.wait_for(r"Seek medical help now", timeout=10, after=pain.question_shown)
        assert coach.finish(timeout=40) == 0
    finally:
        coach.close()
    print(
        f"'pain' end -> question shown {pain.to_shown * 1000:.0f} ms, "
        f"heard {pain.to_heard * 1000:.0f} ms"
    )
    assert pain.to_shown < PAIN_TO_QUESTION_LIMIT, coach.transcript()
    assert pain.to_heard < PAIN_TO_QUESTION_LIMIT, coach.transcript()
    session = logged_session(tmp_path, room)
    assert session["outcome"] == "urgent"
    first_flag = of_kind(session, "red_flag")
    assert [e["answer"] for e in first_flag] == ["yes"]
    assert of_kind(session, "safety_outcome") == [{"choice": "urgent"}]
    commands = [(e["command"], e["source"]) for e in of_kind(session, "command")]
    assert ("pain", "voice") in commands
