"""A recogniser engine made for the tests, in a file of its own as a new engine would be:
it hears every utterance as the word it was built to repeat, with no score."""

from __future__ import annotations

import os

from voicecoach.listening.engine import Decoded, EngineCheck, phrase_of

PARROT_WORD = "VOICECOACH_PARROT_WORD"
"""The environment variable holding the word the parrot hears (default "yes")."""


class ParrotEngine:
    name = "parrot"
    about = "test engine, offline"
    offline = True
    needs_model = False
    gives_scores = False

    def __init__(self, word: str) -> None:
        self.word = word

    @classmethod
    def open(cls, model: str | None) -> ParrotEngine:
        return cls(os.environ.get(PARROT_WORD, "yes"))

    @classmethod
    def check(cls, model: str | None = None) -> EngineCheck:
        return EngineCheck(False, "the parrot only repeats one word", "train a better parrot")

    def decode(self, pcm: bytes) -> Decoded:
        return phrase_of(self.word)
