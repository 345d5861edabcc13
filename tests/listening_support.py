"""Shared helpers for the listening tests (real espeak-ng audio, real PocketSphinx)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import espeak
from voicecoach.core.asking import SCORE_ANSWERS
from voicecoach.core.ports import ALWAYS_EXPECTED
from voicecoach.listening.frames import noise, split_frames, write_wav
from voicecoach.listening.recogniser import Recogniser
from voicecoach.listening.sphinx import SphinxEngine

__all__ = ["write_wav"]

HUMAN = Path(__file__).resolve().parent.parent.parent / "shared" / "audio" / "human"
SCORE_QUESTION = SCORE_ANSWERS | ALWAYS_EXPECTED
"""What the listener takes by voice while a pain score is asked for."""

needs_espeak = pytest.mark.skipif(not espeak.available(), reason="espeak-ng is not installed")
needs_human = pytest.mark.skipif(
    not HUMAN.is_dir(), reason=f"human recordings not found at {HUMAN} (../shared absent)"
)


def heard_in(engine: SphinxEngine, pcm: bytes) -> list[str]:
    """Phrases the live pipeline takes from `pcm` (padded with quiet hiss)."""
    padded = noise(0.4, seed=11) + pcm + noise(1.0, seed=12)
    return [d.heard.text for d in Recogniser(engine).run(split_frames(padded))]
