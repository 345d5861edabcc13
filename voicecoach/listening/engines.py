"""Choosing an engine: PocketSphinx by default; Vosk, Whisper or an online service by flag.

The optional engines are thin: they transcribe the utterance freely and accept it only
when the whole transcript is one command phrase (the same whole-utterance rule).
Their packages are imported only when chosen.
"""

from __future__ import annotations

import sys
from pathlib import Path

from voicecoach.listening.engine import Decoded, Engine, EngineUnavailable
from voicecoach.listening.frames import SAMPLE_RATE
from voicecoach.listening.vocabulary import BY_TEXT

ENGINES = ("pocketsphinx", "vosk", "whisper", "google")
ONLINE_WARNING = "warning: the google engine sends your audio over the internet to Google."


def make_engine(
    name: str = "pocketsphinx", model: str | None = None, online: bool = False
) -> Engine:
    """The engine called `name`; raises EngineUnavailable with a one-line reason."""
    if name == "pocketsphinx":
        from voicecoach.listening.sphinx import SphinxEngine

        return SphinxEngine()
    if name == "vosk":
        return VoskEngine(_model_path(name, model))
    if name == "whisper":
        return WhisperEngine(_model_path(name, model))
    if name == "google":
        if not online:
            raise EngineUnavailable("the google engine is online: pass --online to allow it")
        print(ONLINE_WARNING, file=sys.stderr)
        return GoogleEngine()
    raise EngineUnavailable(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")


def _model_path(engine: str, model: str | None) -> Path:
    if model is None:
        raise EngineUnavailable(f"the {engine} engine needs --model PATH (a local model)")
    path = Path(model)
    if not path.exists():
        raise EngineUnavailable(f"{engine} model not found: {path}")
    return path


def phrase_of(transcript: str) -> Decoded:
    """Apply the whole-utterance rule to a free transcript."""
    text = " ".join("".join(c if c.isalnum() else " " for c in transcript.lower()).split())
    return Decoded(BY_TEXT.get(text), text)


class VoskEngine:
    name = "vosk"

    def __init__(self, model: Path) -> None:
        try:
            import vosk
        except ImportError as error:
            raise EngineUnavailable("the vosk engine needs: pip install vosk") from error
        vosk.SetLogLevel(-1)
        self._vosk = vosk
        self._model = vosk.Model(str(model))

    def decode(self, pcm: bytes) -> Decoded:
        import json

        recogniser = self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE)
        recogniser.AcceptWaveform(pcm)
        return phrase_of(json.loads(recogniser.FinalResult()).get("text", ""))


class WhisperEngine:
    name = "whisper"

    def __init__(self, model: Path) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as error:
            raise EngineUnavailable(
                "the whisper engine needs: pip install faster-whisper"
            ) from error
        self._model = WhisperModel(str(model), device="cpu", compute_type="int8")

    def decode(self, pcm: bytes) -> Decoded:
        import array

        samples = array.array("h", pcm)
        audio = [s / 32768.0 for s in samples]
        segments, _ = self._model.transcribe(audio, language="en", beam_size=1)
        return phrase_of(" ".join(segment.text for segment in segments))


class GoogleEngine:
    name = "google"

    def __init__(self) -> None:
        import speech_recognition as sr

        self._sr = sr
        self._recognizer = sr.Recognizer()

    def decode(self, pcm: bytes) -> Decoded:
        audio = self._sr.AudioData(pcm, SAMPLE_RATE, 2)
        try:
            text = self._recognizer.recognize_google(audio)
        except (self._sr.UnknownValueError, self._sr.RequestError):
            text = ""
        return phrase_of(text if isinstance(text, str) else "")
