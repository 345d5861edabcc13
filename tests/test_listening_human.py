"""Real human recordings (../shared/audio/human): measured, never tuned on.

Thresholds sit below the numbers scripts/eval_recogniser.py measured, so a change that
makes the recogniser clearly worse on real voices fails here."""

from __future__ import annotations

import pytest

from tests.listening_support import HUMAN, heard_in, needs_human
from voicecoach.listening.frames import add_noise_floor, read_wav
from voicecoach.listening.sphinx import SphinxEngine

pytestmark = needs_human


@pytest.fixture(scope="module")
def engine() -> SphinxEngine:
    return SphinxEngine()


def _share_heard(engine: SphinxEngine, folder: str, word: str | None) -> float:
    files = sorted((HUMAN / folder).glob("*.wav"))
    assert files, f"no recordings in {folder}"
    expected = [] if word is None else [word]
    hits = [heard_in(engine, add_noise_floor(read_wav(f))) == expected for f in files]
    return sum(hits) / len(hits)


@pytest.mark.parametrize("word", ["stop", "yes", "no"])
def test_most_human_command_words_are_recognised(engine: SphinxEngine, word: str) -> None:
    assert _share_heard(engine, word, word) >= 0.55


def test_music_in_the_room_gives_no_commands(engine: SphinxEngine) -> None:
    # Kitchen noise and a miaowing voice still give false commands (see the evaluation
    # script's numbers); music is the one background case that passes today.
    for path in sorted((HUMAN / "_noise").glob("music_*.wav")):
        assert heard_in(engine, add_noise_floor(read_wav(path))) == [], path.name
