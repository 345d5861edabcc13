"""A word said over the coach's sentences, with its speaker in the microphone (a laptop,
6 dB under the person): offline, through the live listener with the real canceller.

The first ear hears the sentence and the word as one sound, too long to be a command; the
canceller, in double talk, trims the word to a blip or mangles it, so neither recogniser
can place it. Before, such a word was often dropped (espeak-ng "stop" and "pain", 1 to
2.5 s into an instruction and into the caution: 8 of 16 acted on, PocketSphinx alone).
Now a word-sized sound the canceller left nearly whole, heard while the coach talked, is
taken as an unsure "stop" (barge_in.py): the coach falls silent and asks "Are you in
pain?".
"""

from __future__ import annotations

import pytest

from tests.echo_support import LEAD
from tests.support import espeak
from tests.test_counting_over_echo import VOICE, Line, taken
from tests.test_whisper_engine import needs_whisper
from voicecoach.core.lines import CAUTION
from voicecoach.listening.barge_in import (
    LOUD_RISE_DB,
    MIN_KEPT_DB,
    MIN_REMOVED_DB,
    MIN_RISE_DB,
    BargeIn,
)
from voicecoach.listening.frames import SAMPLE_RATE, noise
from voicecoach.listening.recogniser import CLEANED_EAR, Report

INSTRUCTION = "Lie on your back with your knees bent and your feet flat on the floor"
SETTLE = "Find a firm surface and lie down slowly"
"""Said first: live, the coach has talked before it says the lines a word is said over,
and the canceller has learnt its echo."""
INTO_THE_LINE = (1.0, 1.5, 2.0, 2.5)
"""Seconds into the line at which the word is said."""
TAKEN_AT_LEAST = 14
"""Of the 16 words (stop and pain, 4 places, 2 lines), PocketSphinx alone: 8 before
barge-in, 15 after."""


@pytest.fixture(scope="module")
def sentences() -> tuple[bytes, list[Line]]:
    """The coach's audio (a line to learn its echo on, the instruction, the caution) and
    its lines as played."""
    if not espeak.available():
        pytest.skip("espeak-ng is not installed")
    audio, lines = b"", []
    for i, line in enumerate((SETTLE, INSTRUCTION, CAUTION)):
        said = espeak.render(line, VOICE)
        start, seconds = len(audio) / 2 / SAMPLE_RATE, len(said) / 2 / SAMPLE_RATE
        lines.append((line, LEAD + start, LEAD + start + seconds))
        audio += said + noise(0.4, seed=i)
    return audio, lines


def acted_on(commands: list[str], word: str) -> bool:
    """The coach fell silent for the word, once: as said, or as an unsure "stop" (it
    asks "Are you in pain?"), which a "pain" made out later answers."""
    return commands in ([word], ["stop"], ["stop", word])


@pytest.mark.skipif(not espeak.available(), reason="espeak-ng is not installed")
@pytest.mark.parametrize("second", [None, pytest.param("whisper", marks=needs_whisper)])
def test_stop_and_pain_said_over_the_coachs_sentences_are_acted_on(
    sentences: tuple[bytes, list[Line]], second: str | None
) -> None:
    said = [
        (word, start + late)
        for word in ("stop", "pain")
        for _, start, _ in sentences[1][1:]
        for late in INTO_THE_LINE
    ]
    results = {(w, round(at, 2)): taken(sentences, w, at, second=second) for w, at in said}
    hits = sum(acted_on(got, w) for (w, _), got in results.items())
    assert hits >= TAKEN_AT_LEAST, results


@pytest.mark.skipif(not espeak.available(), reason="espeak-ng is not installed")
def test_the_coachs_sentences_heard_back_alone_give_no_command(
    sentences: tuple[bytes, list[Line]],
) -> None:
    assert taken(sentences, None, 0.0, echo_db=0.0) == []
    assert taken(sentences, None, 0.0) == []


def sound(seconds: float, outcome: str = "not a command") -> Report:
    return Report(10.0, 10.0 + seconds, outcome, ear=CLEANED_EAR)


def is_word(barge_in: BargeIn, report: Report) -> bool:
    return barge_in.is_word(barge_in.measured(report))


def levels(
    barge_in: BargeIn, kept_db: float, rise_db: float = 7.0, removed_db: float = 30.0
) -> BargeIn:
    """The coach's echo at -26 dBFS in the microphone from 8 s on, of which the canceller
    took out `removed_db`; then from 10 s to 11.5 s a sound `rise_db` louder, of which it
    kept `kept_db`."""
    for i in range(117):
        time = 8.0 + i * 0.03
        during = time >= 10.0
        heard = -26.0 + (rise_db if during else 0.0)
        cleaned = heard + (kept_db if during else -removed_db)
        barge_in.feed(time, heard, cleaned, coach_sounding=True)
    return barge_in


def test_a_word_over_the_coach_the_canceller_left_whole_is_a_word() -> None:
    assert is_word(levels(BargeIn(), -3.0), sound(0.3))


def test_what_the_canceller_leaves_of_the_coachs_voice_is_not_a_word() -> None:
    """Crushed by the canceller, and risen as far as the coach's own pieces rose live."""
    assert not is_word(levels(BargeIn(), MIN_KEPT_DB - 10.0, rise_db=5.2), sound(0.3))


def test_a_word_far_louder_than_the_coachs_echo_is_a_word_though_the_canceller_crushed_it() -> None:
    """Live, a "stop" said over the caution rose 11.5 dB over the coach's echo, and in
    double talk the canceller kept only -20.5 dB of it: its ear read "five"."""
    assert is_word(levels(BargeIn(), -20.5, rise_db=11.5), sound(0.4))
    assert is_word(levels(BargeIn(), -17.5, rise_db=7.9), sound(0.4))  # over an instruction
    assert not is_word(levels(BargeIn(), -20.5, rise_db=LOUD_RISE_DB - 2.0), sound(0.4))


def test_a_word_early_in_a_line_before_the_canceller_can_be_weighed_is_a_word_if_loud() -> None:
    """Live, "stop" said 1 s into an instruction: too few frames of the canceller's work
    before it to weigh (removed_db None), kept whole, 8 dB over the coach's echo."""
    barge_in = BargeIn()
    for i in range(80):
        time = 8.6 + i * 0.03
        during = time >= 10.0
        heard = -26.0 + (8.0 if during else 0.0)
        working = time >= 9.5  # the canceller at work only just before the word
        cleaned = heard + (-0.8 if during else -30.0)
        barge_in.feed(time, heard, cleaned if working else None, coach_sounding=True)
    assert barge_in.removed_db(10.0) is None
    assert is_word(barge_in, sound(0.24))
    quieter = BargeIn()
    for i in range(80):
        time = 8.6 + i * 0.03
        heard = -26.0 + (MIN_RISE_DB + 0.5 if time >= 10.0 else 0.0)
        quieter.feed(time, heard, heard - 0.8 if time >= 9.5 else None, coach_sounding=True)
    assert not is_word(quieter, sound(0.24))  # no louder than the coach's own pieces get


def test_the_coachs_voice_let_through_whole_is_not_a_word() -> None:
    """No louder than the coach's echo before it: the canceller let a piece through."""
    assert not is_word(levels(BargeIn(), 0.0, rise_db=MIN_RISE_DB - 2.0), sound(0.3))


def test_while_the_canceller_lets_the_coach_through_only_a_loud_sound_is_a_word() -> None:
    """Just before the sound it was not taking the coach's echo out: its ear cannot tell
    the coach from the person, so the sound must rise more than the coach's own pieces do
    (live, counting every five seconds, a "stop" said as a count began after seconds of
    quiet rose 9.7 dB where the canceller took 11 dB out; the coach's pieces there rose
    3.8 dB at most)."""
    weak = MIN_REMOVED_DB - 4.0
    assert not is_word(levels(BargeIn(), -3.0, rise_db=6.5, removed_db=weak), sound(0.3))
    assert not is_word(levels(BargeIn(), -3.0, rise_db=5.2, removed_db=weak), sound(0.3))
    assert is_word(levels(BargeIn(), -0.6, rise_db=9.7, removed_db=weak), sound(0.4))


def test_a_word_said_as_a_count_begins_after_seconds_of_quiet_is_a_word() -> None:
    """Counting every five seconds: the canceller took the last count's echo out, then the
    room was quiet (nothing to take out, the canceller still at work for a while); a word
    said 6 dB over the next count, mostly kept, is a word."""
    barge_in = BargeIn()
    for i in range(217):
        time = 4.0 + i * 0.03
        count = time < 4.6 or time >= 10.0  # "five", and from 10 s "ten" with the word
        sounding = count or time < 5.0  # the count's echo tail
        heard = -26.0 if count else -60.0
        heard += 7.0 if time >= 10.0 else 0.0
        working = time < 6.5 or time >= 10.0  # handed on 1.5 s after the count
        cleaned = heard + (-3.0 if time >= 10.0 else -30.0 if count else -1.0)
        barge_in.feed(time, heard, cleaned if working else None, coach_sounding=sounding)
    assert is_word(barge_in, sound(0.3))


def test_a_click_or_a_long_stretch_of_talk_is_not_a_word() -> None:
    barge_in = levels(BargeIn(), -3.0)
    assert not is_word(barge_in, sound(0.06))
    assert not is_word(barge_in, sound(1.5, "longer than any command"))


def test_a_word_an_ear_acted_on_is_not_taken_again() -> None:
    assert not is_word(levels(BargeIn(), -3.0), sound(0.3, "heard"))


def test_a_word_made_out_where_the_canceller_let_the_coach_through_is_the_coachs() -> None:
    """Live on CI the canceller let "...your chest. Hold" through and its ear read "stop"
    there: the microphone had risen only 3.6 dB over the coach's echo. A word said 6 dB
    over the echo rises 6 dB or more."""
    assert levels(BargeIn(), -6.9, rise_db=3.6).let_through(10.0, 10.6)
    assert not levels(BargeIn(), -2.0, rise_db=6.2).let_through(10.0, 10.6)
