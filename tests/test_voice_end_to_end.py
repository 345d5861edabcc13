"""End to end, with real audio: the coach runs as its own process, speaks into a PulseAudio
null sink, and listens to a virtual microphone that espeak-ng words are played into.

What a person would notice, checked here:
  - "next" said during a hold ends it: the release line follows within ~2 s of the word;
  - "stop" said while the coach is mid-sentence silences it within 500 ms of the end of
    the word, and "Are you in pain?" is asked;
  - "pain" said mid-hold is followed within a second by the first red-flag question, and
    a spoken "yes" ends the session as urgent, with the answer in the log.

Times are measured at the sinks' monitors (what a microphone heard, what a speaker
played) on the same monotonic clock as the coach's printed lines; see tests/voice_rig.py.
Every wait is bounded, and a watchdog kills a coach that hangs.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulse
import pytest
import voice_rig
from voice_rig import Coach, LiveMonitor, Span, VirtualRoom

from voicecoach.listening import espeak

pytestmark = pytest.mark.audio

HOLD_ROUTINE = """\
title: Hold test
steps:
  - kind: hold
    title: Knee to chest
    hold_line: Slowly pull your knee toward your chest.
    release: Slowly release.
"""

LONG_SENTENCE = (
    "Lie on your back on a firm surface with your knees bent and your feet flat on the "
    "floor and let your whole back sink slowly into the floor while you breathe in through "
    "your nose and out through your mouth as slowly and as gently as you can manage."
)
LONG_LINE_ROUTINE = f"""\
title: Long line
steps:
  - kind: say
    title: Settle in
    say:
      - {LONG_SENTENCE}
"""
HOLD_OPTIONS = ("--hold", "30", "--count", "10")
SPEECH_RATE = "280"
"""Words per minute (the voice's own is ~175): what is measured does not depend on it."""
FIRST_RED_FLAG = "Have you suddenly lost control of your bowel or bladder?"


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtualRoom]:
    """The two sinks and the microphone's hiss, shared by the tests of this file."""
    reason = pulse.ensure_running()
    if reason is not None:
        pytest.skip(reason)
    if not espeak.available():
        pytest.skip("espeak-ng is not installed (apt install espeak-ng)")
    room = VirtualRoom(tmp_path_factory.mktemp("room"))
    yield room
    room.close()


@pytest.fixture
def monitors(room: VirtualRoom) -> Iterator[tuple[LiveMonitor, LiveMonitor]]:
    """(microphone, speaker): both monitors heard live for the length of one test."""
    mic, speaker = LiveMonitor(room.mic.monitor), LiveMonitor(room.speaker.monitor)
    try:
        mic.wait_streaming()
        speaker.wait_streaming()
        yield mic, speaker
    finally:
        mic.close()
        speaker.close()


def start_coach(room: VirtualRoom, folder: Path, routine: str, *options: str) -> Coach:
    """The coach running `routine`; it speaks fast, so the tests spend less time listening."""
    voice_rig.write_routine(folder, "e2e", routine)
    env = voice_rig.coach_env(room, folder)
    return Coach(["routine", "e2e", "--no-pain-scores", "--rate", SPEECH_RATE, *options], env)


def say_during_hold(room: VirtualRoom, coach: Coach, mic: LiveMonitor, word: str) -> Span:
    """Wait for the hold to begin, then say `word` in its quiet part (the first count is
    at 10 s: the coach is silent, so every command is armed)."""
    coach.wait_for(r"\] 30 s left", timeout=40)
    time.sleep(1.0)
    return room.say(word, heard_by=mic)


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
    mic, _ = monitors
    coach = start_coach(room, tmp_path, HOLD_ROUTINE, *HOLD_OPTIONS)
    try:
        word = say_during_hold(room, coach, mic, "next")
        released, _ = coach.wait_for(r"Slowly release\.", timeout=10, after=word.start)
        assert coach.finish(timeout=20) == 0
    finally:
        coach.close()
    print(f"'next' end -> release line: {(released - word.end) * 1000:.0f} ms")
    assert released - word.end < 2.0, coach.transcript()
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
        shown, _ = coach.wait_for(re.escape(LONG_SENTENCE[:40]), timeout=40)
        sentence_start = voice_rig.wait_for_sound(speaker, since=shown, timeout=10)
        time.sleep(max(0.0, sentence_start + 1.5 - time.monotonic()))  # well into it
        word = room.say("stop", heard_by=mic)
        paused, _ = coach.wait_for(r"^\s+Paused\.$", timeout=10, after=word.start)
        coach.wait_for(r"Are you in pain\?", timeout=10, after=paused)
        coach.press("n")  # not in pain: it stays paused until told to carry on or quit
        coach.wait_for(r"Still paused", timeout=20, after=paused)
        coach.press("q")
        assert coach.finish(timeout=20) == 0
    finally:
        coach.close()
    silent_at = voice_rig.speech_cut_off(speaker, sentence_start, paused)
    print(f"'stop' end -> coach silent: {(silent_at - word.end) * 1000:.0f} ms")
    assert silent_at - word.end <= 0.5, coach.transcript()
    session = logged_session(tmp_path, room)
    assert ("stop", "voice") in [(e["command"], e["source"]) for e in of_kind(session, "command")]
    assert of_kind(session, "in_pain") == [{"answer": "no"}]


def test_pain_said_mid_hold_leads_to_the_red_flags_and_a_spoken_yes_ends_it_as_urgent(
    room: VirtualRoom, monitors: tuple[LiveMonitor, LiveMonitor], tmp_path: Path
) -> None:
    mic, speaker = monitors
    coach = start_coach(room, tmp_path, HOLD_ROUTINE, *HOLD_OPTIONS)
    try:
        word = say_during_hold(room, coach, mic, "pain")
        asked, _ = coach.wait_for(re.escape(FIRST_RED_FLAG), timeout=10, after=word.start)
        question = voice_rig.wait_for_sound(speaker, since=word.end, timeout=5)
        # "yes" only counts once the coach has finished saying "say yes or no".
        voice_rig.wait_for_quiet(speaker, since=question, quiet=0.8, timeout=20)
        room.say("yes", heard_by=mic)
        coach.wait_for(r"Seek medical help now", timeout=10, after=asked)
        assert coach.finish(timeout=40) == 0
    finally:
        coach.close()
    print(
        f"'pain' end -> question shown {(asked - word.end) * 1000:.0f} ms, "
        f"heard {(question - word.end) * 1000:.0f} ms"
    )
    assert asked - word.end < 1.0, coach.transcript()
    assert question - word.end < 1.0, coach.transcript()
    session = logged_session(tmp_path, room)
    assert session["outcome"] == "urgent"
    first_flag = of_kind(session, "red_flag")
    assert [e["answer"] for e in first_flag] == ["yes"]
    assert of_kind(session, "safety_outcome") == [{"choice": "urgent"}]
    commands = [(e["command"], e["source"]) for e in of_kind(session, "command")]
    assert ("pain", "voice") in commands
