"""A command that scored a little too low is taken when the person says it again, and the
self-hearing gate judges a word by when it began, not by when it was decoded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.listening_support import needs_espeak
from tests.support import espeak
from voicecoach.core.inbox import Inbox
from voicecoach.core.ports import Command
from voicecoach.listening.engine import Decoded
from voicecoach.listening.frames import noise, split_frames
from voicecoach.listening.listen_log import LISTEN_LOG_ENV, read_listen_log
from voicecoach.listening.listener import VoiceListener
from voicecoach.listening.recogniser import Recogniser, Report, SelfHearingGate
from voicecoach.listening.sphinx import SphinxEngine, SphinxSettings
from voicecoach.listening.vad import UtteranceDetector
from voicecoach.listening.vocabulary import BY_TEXT


class ScriptedEngine:
    """Answers each utterance with the next Decoded of a script (the words said are real
    espeak-ng audio, so the VAD finds them; what they decode to is scripted)."""

    name = "scripted"

    def __init__(self, answers: list[Decoded]) -> None:
        self.answers = list(answers)

    def decode(self, pcm: bytes) -> Decoded:
        return self.answers.pop(0)


def near_miss(text: str) -> Decoded:
    return Decoded(None, text, -31.0, near_miss=True)


def heard(text: str) -> Decoded:
    return Decoded(BY_TEXT[text], text, -20.0)


def words_with_gaps(*gaps: float) -> bytes:
    """A word after each gap of quiet (seconds), then a second of quiet."""
    word = espeak.render("next")
    return b"".join(noise(gap, seed=i) + word for i, gap in enumerate(gaps)) + noise(1.0)


def commands(engine: ScriptedEngine, pcm: bytes) -> tuple[list[str], list[Report]]:
    reports: list[Report] = []
    recogniser = Recogniser(engine, on_report=reports.append)
    found = [d.heard.text for d in recogniser.run(split_frames(pcm))]
    return found, reports


@needs_espeak
def test_a_near_miss_alone_is_ignored_and_taken_when_said_again_at_once() -> None:
    found, reports = commands(
        ScriptedEngine([near_miss("next"), near_miss("next")]), words_with_gaps(0.5, 2.0)
    )
    assert found == ["next"]
    assert [r.outcome for r in reports] == ["near miss", "said again"]


@needs_espeak
def test_a_near_miss_said_again_too_late_or_after_other_words_is_still_ignored() -> None:
    late, _ = commands(
        ScriptedEngine([near_miss("next"), near_miss("next")]), words_with_gaps(0.5, 6.0)
    )
    assert late == []
    between = ScriptedEngine([near_miss("next"), Decoded(None, "x_hello"), near_miss("next")])
    found, _ = commands(between, words_with_gaps(0.5, 1.5, 1.5))
    assert found == []


@needs_espeak
def test_a_near_miss_of_another_phrase_does_not_confirm_it() -> None:
    found, _ = commands(
        ScriptedEngine([near_miss("skip"), near_miss("next")]), words_with_gaps(0.5, 1.5)
    )
    assert found == []


@needs_espeak
def test_a_clear_word_needs_no_repeat() -> None:
    found, reports = commands(ScriptedEngine([heard("next")]), words_with_gaps(0.5))
    assert found == ["next"] and reports[0].outcome == "heard"


@needs_espeak
def test_sphinx_marks_a_command_just_under_its_threshold_as_a_near_miss() -> None:
    audio = noise(0.4) + espeak.render("next") + noise(1.0)
    (utterance,) = UtteranceDetector().utterances(split_frames(audio))
    pcm = utterance.pcm
    strict = SphinxSettings(min_score=0.0, near_miss_margin=100.0)  # every score is < 0
    decoded = SphinxEngine(strict).decode(pcm)
    assert decoded.phrase is None and decoded.text == "next" and decoded.near_miss
    far = SphinxEngine(SphinxSettings(min_score=0.0, near_miss_margin=0.0)).decode(pcm)
    assert far.phrase is None and not far.near_miss


def test_a_word_that_began_before_the_count_started_is_not_the_coach() -> None:
    """ "next" said just before a count: decided while the count plays, but it began in
    quiet, so it cannot be the coach's own voice."""
    gate = SelfHearingGate(lambda: ("10", 20.0))
    assert gate.allows(BY_TEXT["next"], began=19.5)
    assert not gate.allows(BY_TEXT["next"], began=20.1)


def test_a_word_that_began_after_the_lines_echo_gets_through() -> None:
    gate = SelfHearingGate(lambda: None, lambda: ("15", 14.0, 14.6), echo_tail=0.3)
    assert not gate.allows(BY_TEXT["next"], began=14.8)  # may be the count's echo
    assert gate.allows(BY_TEXT["next"], began=15.0)


@needs_espeak
def test_the_listening_log_says_what_became_of_each_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "listen.jsonl"
    monkeypatch.setenv(LISTEN_LOG_ENV, str(log))
    inbox = Inbox()
    listener = VoiceListener(inbox, ScriptedEngine([near_miss("next"), near_miss("next")]))
    try:
        for frame in split_frames(words_with_gaps(0.5, 2.0)):
            listener.feed(frame)
    finally:
        listener.stop()
    got = inbox.next_command(timeout=1.0)
    assert got is not None and got.command is Command.NEXT and got.source == "voice"
    reports = read_listen_log(log)
    assert [(r.outcome, r.text) for r in reports] == [("near miss", "next"), ("said again", "next")]
    assert all(r.score == -31.0 and r.decided_at is not None for r in reports)
    assert json.loads(log.read_text().splitlines()[0])["speech_start"] < reports[1].speech_start


def tones_for(decoded: list[Decoded], playing: tuple[str, float] | None = None) -> int:
    """How many times the listener told the person a word was heard but not taken."""
    told: list[int] = []
    inbox = Inbox()
    listener = VoiceListener(
        inbox,
        ScriptedEngine(decoded),
        now_playing=lambda: playing,
        expected=inbox.expected,
        on_unsure=lambda: told.append(1),
    )
    for frame in split_frames(words_with_gaps(1.0, 3.0)):
        listener.feed(frame)
    return len(told)


@needs_espeak
def test_a_word_heard_but_not_acted_on_is_answered_with_a_tone() -> None:
    assert tones_for([near_miss("next"), heard("yes")]) == 2  # "yes" is not expected now
    assert tones_for([heard("next"), heard("next")]) == 0  # taken: nothing to tell


@needs_espeak
def test_no_tone_over_the_coach_where_the_word_may_be_its_own() -> None:
    assert tones_for([near_miss("next"), near_miss("next")], playing=("Say next.", 0.0)) == 0
