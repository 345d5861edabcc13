"""Whisper through faster-whisper (CTranslate2): opt-in, `--engine whisper --model PATH`.

It transcribes the utterance freely; the whole transcript must be one command phrase.
"""

from __future__ import annotations

import array
from pathlib import Path

from voicecoach.listening.engine import (
    Decoded,
    EngineCheck,
    EngineUnavailable,
    check_by_opening,
    local_model,
    phrase_of,
)

_INSTALL = "pip install faster-whisper"


class WhisperEngine:
    name = "whisper"
    about = "offline, needs --model PATH"
    offline = True
    needs_model = True
    gives_scores = False

    def __init__(self, model: Path) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as error:
            raise EngineUnavailable(f"the whisper engine needs: {_INSTALL}") from error
        self._model = WhisperModel(str(model), device="cpu", compute_type="int8")

    @classmethod
    def open(cls, model: str | None) -> WhisperEngine:
        return cls(local_model(cls.name, model))

    @classmethod
    def check(cls, model: str | None = None) -> EngineCheck:
        return check_by_opening(cls.open, cls.name, model, _INSTALL)

    def decode(self, pcm: bytes) -> Decoded:
        audio = [s / 32768.0 for s in array.array("h", pcm)]
        segments, _ = self._model.transcribe(audio, language="en", beam_size=1)
        return phrase_of(" ".join(segment.text for segment in segments))
