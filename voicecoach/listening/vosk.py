"""Vosk (Kaldi) with a local model folder: opt-in, `--engine vosk --model PATH`.

It transcribes the utterance freely; the whole transcript must be one command phrase.
"""

from __future__ import annotations

import json
from pathlib import Path

from voicecoach.listening.engine import (
    Decoded,
    EngineCheck,
    EngineUnavailable,
    check_by_opening,
    local_model,
    phrase_of,
)
from voicecoach.listening.frames import SAMPLE_RATE

_INSTALL = "pip install vosk"


class VoskEngine:
    name = "vosk"
    about = "offline, needs --model PATH"
    offline = True
    needs_model = True
    gives_scores = False

    def __init__(self, model: Path) -> None:
        try:
            import vosk
        except ImportError as error:
            raise EngineUnavailable(f"the vosk engine needs: {_INSTALL}") from error
        vosk.SetLogLevel(-1)
        self._vosk = vosk
        self._model = vosk.Model(str(model))

    @classmethod
    def open(cls, model: str | None) -> VoskEngine:
        return cls(local_model(cls.name, model))

    @classmethod
    def check(cls, model: str | None = None) -> EngineCheck:
        return check_by_opening(cls.open, cls.name, model, _INSTALL)

    def decode(self, pcm: bytes) -> Decoded:
        recogniser = self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE)
        recogniser.AcceptWaveform(pcm)
        return phrase_of(json.loads(recogniser.FinalResult()).get("text", ""))
