"""What every recogniser engine offers: decode one utterance into a command phrase."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from voicecoach.listening.vocabulary import Phrase


@dataclass(frozen=True)
class Decoded:
    """What an engine made of one utterance."""

    phrase: Phrase | None
    """The command phrase, when the whole utterance was exactly one; else None."""
    text: str
    """What the engine heard, for logs and debugging ("" for nothing)."""
    confidence: float | None = None
    """The engine's confidence in `phrase`, when it has one."""
    near_miss: bool = False
    """The whole utterance was exactly one command phrase (`text`) that scored a little
    too low to act on. Said again at once, it is taken (see recogniser.SAID_AGAIN_WITHIN)."""


class Engine(Protocol):
    name: str

    def decode(self, pcm: bytes) -> Decoded:
        """Decode 16 kHz mono int16 audio holding one utterance with quiet around it."""
        ...


class EngineUnavailable(RuntimeError):
    """An engine's package or model is missing; the message is one line for the user."""
