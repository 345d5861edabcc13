"""Real PocketSphinx decoding of espeak-ng speech through the live pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from tests.listening_support import heard_in, needs_espeak
from tests.support import espeak
from voicecoach.listening.frames import SAMPLE_RATE
from voicecoach.listening.sphinx import SphinxEngine
from voicecoach.listening.vocabulary import PHRASES
from voicecoach.listening.voicing import MIN_VOICED, voiced_seconds

pytestmark = needs_espeak


@pytest.fixture(scope="module")
def engine() -> SphinxEngine:
    return SphinxEngine()


@pytest.mark.parametrize("word", ["stop", "pain", "pause", "yes", "help", "it hurts"])
def test_urgent_and_common_words_are_recognised(engine: SphinxEngine, word: str) -> None:
    assert heard_in(engine, espeak.render(word, espeak.Voice("en-us", 160))) == [word]


def test_most_of_the_vocabulary_is_recognised_in_another_accent(engine: SphinxEngine) -> None:
    voice = espeak.Voice("en-gb", 150, 45)
    right = [p.text for p in PHRASES if heard_in(engine, espeak.render(p.text, voice)) == [p.text]]
    assert len(right) >= 0.75 * len(PHRASES), f"only {right}"


@pytest.mark.parametrize(
    "sentence",
    [
        "stop at the next corner please",
        "that was a pain in the neck",
        "how long will this take to finish",
        "slowly bring your knee to your chest",
        "the weather is nice today and I am going out",
    ],
)
def test_sentences_give_no_command(engine: SphinxEngine, sentence: str) -> None:
    assert heard_in(engine, espeak.render(sentence)) == []


def test_a_word_after_a_pause_is_heard_but_not_inside_a_sentence(engine: SphinxEngine) -> None:
    from voicecoach.listening.frames import noise

    sentence = espeak.render("please bring your knees up to your chest and stop")
    alone = espeak.render("stop")
    assert heard_in(engine, sentence) == []
    assert heard_in(engine, sentence + noise(0.8) + alone) == ["stop"]


def knock(seconds: float = 0.15, seed: int = 1) -> bytes:
    """A bump on the floor or a cup set down: a bright ring that dies away, no voice."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    ring = np.sin(2 * np.pi * 1000 * t) * 0.6 + rng.uniform(-0.4, 0.4, len(t))
    return (8000 * ring * np.exp(-t / (seconds / 3))).astype("<i2").tobytes()


@pytest.mark.parametrize("word", ["stop", "yes"])
def test_a_knock_just_before_a_word_does_not_make_it_part_of_a_sentence(
    engine: SphinxEngine, word: str
) -> None:
    """A sound long enough to be a word but with no voice in it, a quarter of a second
    before "stop": the decoder forces a filler word on it ("it"), and the word after it
    was dropped as said inside a sentence."""
    from voicecoach.listening.frames import noise

    assert voiced_seconds(knock()) < MIN_VOICED
    assert heard_in(engine, knock() + noise(0.25) + espeak.render(word)) == [word]
