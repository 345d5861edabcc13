"""Google's online speech service, through SpeechRecognition: only with --online, which
warns that the audio leaves the computer."""

from __future__ import annotations

import sys

from voicecoach.listening.engine import Decoded, EngineCheck, phrase_of
from voicecoach.listening.frames import SAMPLE_RATE

ONLINE_WARNING = "warning: the google engine sends your audio over the internet to Google."


class GoogleEngine:
    name = "google"
    about = "online, only with --online"
    offline = False
    needs_model = False
    gives_scores = False

    def __init__(self) -> None:
        import speech_recognition as sr

        self._sr = sr
        self._recognizer = sr.Recognizer()

    @classmethod
    def open(cls, model: str | None) -> GoogleEngine:
        print(ONLINE_WARNING, file=sys.stderr)
        return cls()

    @classmethod
    def check(cls, model: str | None = None) -> EngineCheck:
        return EngineCheck(True, "online: sends audio to Google, only with --online")

    def decode(self, pcm: bytes) -> Decoded:
        audio = self._sr.AudioData(pcm, SAMPLE_RATE, 2)
        try:
            text = self._recognizer.recognize_google(audio)
        except (self._sr.UnknownValueError, self._sr.RequestError):
            text = ""
        return phrase_of(text if isinstance(text, str) else "")
