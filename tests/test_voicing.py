"""A fast "stop" in the clatter of dishes: the sound holds no voice at a human pitch, so
when Whisper heard no words in it and the word head heard no "stop", it is withdrawn (the
coach says so and carries on) instead of stopping the routine to ask "Are you in pain?".
A spoken "stop" holds a vowel, so that rule never withdraws one."""

from __future__ import annotations

import numpy as np
import pytest

from tests.listening_support import HUMAN, needs_espeak, needs_human
from tests.test_whisper_engine import needs_whisper
from voicecoach.core.ports import DURING_ROUTINE, Command, Heard
from voicecoach.listening.engine import Decoded
from voicecoach.listening.frames import SAMPLE_RATE, read_wav
from voicecoach.listening.recogniser import Report
from voicecoach.listening.second_opinion import Sound, Unheard, decide
from voicecoach.listening.voicing import MIN_VOICED, voiced_seconds
from voicecoach.listening.word_head import WordGuess

NOTHING = Decoded(None, "")


def tone(hertz: float, seconds: float = 0.5) -> bytes:
    """A held note with its overtones, as a voice's vowel or a cat's miaow has."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    wave = sum(np.sin(2 * np.pi * hertz * k * t) / k for k in range(1, 6))
    return (3000 * wave).astype("<i2").tobytes()


def clatter(seed: int) -> bytes:
    """Crockery knocked together: short bright rings that die away (as the word head's
    synthetic clatter, scripts/train_word_head.py)."""
    rng = np.random.default_rng(seed)
    out = np.zeros(int(0.6 * SAMPLE_RATE))
    t = np.arange(int(0.15 * SAMPLE_RATE)) / SAMPLE_RATE
    for _ in range(4):
        ring = np.sin(2 * np.pi * rng.uniform(1500, 9000, 4)[:, None] * t).sum(axis=0)
        start = int(rng.integers(0, len(out) - len(t)))
        out[start : start + len(t)] += ring * np.exp(-t / 0.03)
    return (3000 * out + rng.normal(0, 30, len(out))).astype("<i2").tobytes()


def test_a_note_at_a_voices_pitch_is_voiced_and_one_far_above_it_or_a_clatter_is_not() -> None:
    assert voiced_seconds(tone(150.0)) > 0.4
    assert voiced_seconds(tone(700.0)) < MIN_VOICED  # a miaow's pitch, not a person's
    assert all(voiced_seconds(clatter(seed)) < MIN_VOICED for seed in range(5))


@needs_espeak
@pytest.mark.parametrize("voice", ["en-us", "en-gb+f3"])
def test_a_spoken_stop_holds_a_vowel(voice: str) -> None:
    from tests.support import espeak

    assert voiced_seconds(espeak.render("stop", espeak.Voice(voice, 160, 50))) >= 2 * MIN_VOICED


def fast_stop(pcm: bytes) -> Sound:
    report = Report(10.0, 10.5, "heard", "stop")
    return Sound(pcm, report, Heard(Command.STOP, "voice", text="stop"))


def test_a_fast_stop_in_clatter_whisper_heard_nothing_in_is_withdrawn() -> None:
    pcm = clatter(1)
    unheard = Unheard(WordGuess("yes", 0.4), no_speech=0.6, voiced=voiced_seconds(pcm))
    assert decide(fast_stop(pcm), NOTHING, DURING_ROUTINE, None, unheard).withdrawn


def test_a_fast_stop_with_no_voice_stands_when_the_word_head_heard_a_stop() -> None:
    pcm = clatter(1)
    unheard = Unheard(WordGuess("stop", 0.99), no_speech=0.8, voiced=voiced_seconds(pcm))
    assert not decide(fast_stop(pcm), NOTHING, DURING_ROUTINE, None, unheard).withdrawn


@needs_human
def test_the_dishes_that_stopped_the_coach_hold_no_voice_and_spoken_stops_mostly_do() -> None:
    """Measured on recordings never tuned on: the sound of the dishes the fast path took
    for "stop" (36.2 s into the recording), and the human "stop"s."""
    dishes = read_wav(HUMAN / "_noise" / "sc_bg_doing_the_dishes.wav")
    start, end = (int(s * SAMPLE_RATE) * 2 for s in (36.1, 36.9))
    assert voiced_seconds(dishes[start:end]) < MIN_VOICED
    stops = [voiced_seconds(read_wav(p)) for p in sorted((HUMAN / "stop").glob("*.wav"))]
    assert sum(v >= MIN_VOICED for v in stops) >= 0.8 * len(stops)


@needs_human
@needs_whisper
def test_the_dishes_stop_the_coach_once_where_they_stopped_it_twice() -> None:
    """The whole recording of someone doing the dishes, heard during a routine by the live
    listener with both recognisers and the word head: PocketSphinx takes two clatters for
    "stop"; the one the head heard no "stop" in holds no voice, so the coach says it heard
    stop by mistake and carries on, instead of asking "Are you in pain?"."""
    from voicecoach.core.ports import STOP_WITHDRAWN
    from voicecoach.listening.engine import make_engine
    from voicecoach.listening.frames import noise, split_frames
    from voicecoach.listening.listener import VoiceListener
    from voicecoach.listening.word_head import load_head

    if load_head() is None:
        pytest.skip("the word head needs the enrol extra (onnxruntime, livekit-wakeword)")
    heard: list[Heard] = []
    routine = lambda: DURING_ROUTINE  # noqa: E731
    listener = VoiceListener(_Inbox(heard), make_engine("pocketsphinx"), expected=routine,
                             second=make_engine("whisper"))  # fmt: skip
    dishes = read_wav(HUMAN / "_noise" / "sc_bg_doing_the_dishes.wav")
    for frame in split_frames(noise(0.3, seed=3) + dishes + noise(1.0, seed=4)):
        listener.feed(frame)
    withdrawn = sum(h.text == STOP_WITHDRAWN for h in heard)
    stops = sum(h.command is Command.STOP for h in heard)
    assert withdrawn >= 1 and stops - withdrawn <= 1


class _Inbox:
    def __init__(self, heard: list[Heard]) -> None:
        self.heard = heard

    def put(self, heard: Heard) -> None:
        self.heard.append(heard)
