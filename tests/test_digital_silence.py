"""A microphone that gives exact digital silence between words (some drivers gate their
input to zeros) must not break recognition: before, "next" was lost every time and
"pain" came out as "nine"."""

from __future__ import annotations

import array

import pytest

from tests.listening_support import needs_espeak
from tests.support import espeak
from voicecoach.listening.frames import SilenceDither, split_frames
from voicecoach.listening.recogniser import Recogniser
from voicecoach.listening.sphinx import SphinxEngine

VOICES = (espeak.Voice(), espeak.Voice("en-gb"))


def noise_gated(pcm: bytes, below: int = 40) -> bytes:
    """What such a driver delivers: every quiet sample set to exact zero."""
    return array.array("h", [0 if abs(s) < below else s for s in array.array("h", pcm)]).tobytes()


def zeros(seconds: float) -> bytes:
    return b"\0\0" * int(16000 * seconds)


@pytest.fixture(scope="module")
def engine() -> SphinxEngine:
    return SphinxEngine()


@needs_espeak
@pytest.mark.parametrize("word", ["stop", "pain", "next", "yes"])
@pytest.mark.parametrize("voice", VOICES, ids=lambda v: v.tag)
def test_a_word_between_stretches_of_digital_silence_is_heard(
    engine: SphinxEngine, word: str, voice: espeak.Voice
) -> None:
    pcm = zeros(1.0) + noise_gated(espeak.render(word, voice)) + zeros(1.0)
    heard = [d.heard.text for d in Recogniser(engine).run(split_frames(pcm))]
    assert heard == [word]


def test_only_exact_zeros_are_filled_and_other_audio_passes_untouched() -> None:
    dither = SilenceDither()
    speech = array.array("h", [100, -100] * 240).tobytes()
    (frame,) = split_frames(speech)
    assert dither(frame) is frame
    (gated,) = split_frames(zeros(0.03))
    filled = array.array("h", dither(gated).pcm)
    assert sum(s != 0 for s in filled) > len(filled) // 2  # a hiss now
    assert max(abs(s) for s in filled) < 40  # a quiet one (about -75 dBFS)
