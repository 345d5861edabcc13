"""What every recogniser engine offers, and the one registry that names them.

An engine is one file in listening/ with a class that has the attributes and methods of
`Engine` below; it is chosen by name (`--engine`) through ENGINES. The pipeline around it
(the VAD, the whole-utterance rule, the self-hearing gate, expected words, the said-again
rule) is the same for every engine: it hands the engine one utterance and gets a
`Decoded` back.

Adding an engine: a new file with its class, and one line in ENGINES.
Changing the default: DEFAULT_ENGINE.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

from voicecoach.listening.vocabulary import BY_TEXT, Phrase

DEFAULT_ENGINE = "pocketsphinx"
"""The engine used unless --engine says otherwise: it must work with nothing downloaded."""

ENGINES: dict[str, str] = {
    "pocketsphinx": "voicecoach.listening.sphinx:SphinxEngine",
    "vosk": "voicecoach.listening.vosk:VoskEngine",
    "whisper": "voicecoach.listening.whisper:WhisperEngine",
    "google": "voicecoach.listening.google:GoogleEngine",
}
"""Every engine by name: "module:class". Modules are imported only when named, and import
their recognition library only when an engine is made, so listing them stays cheap."""


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
    too low to act on. Said again at once, it is taken (see recogniser.SAID_AGAIN_WITHIN).
    Only engines that give scores can tell a near miss."""


@dataclass(frozen=True)
class EngineCheck:
    """An engine's own verdict on whether it can run here (for `voicecoach doctor`)."""

    ok: bool
    detail: str
    """What was found (when ok) or what is wrong, one line."""
    fix: str = ""
    """The command that fixes it (only for problems)."""


class Engine(Protocol):
    """A recogniser: turns one utterance into a command phrase."""

    name: ClassVar[str]
    """Its name on the command line."""
    about: ClassVar[str]
    """What it is, in a few words (shown in --help and by doctor)."""
    offline: ClassVar[bool]
    """True when no audio leaves the computer."""
    needs_model: ClassVar[bool]
    """True when it needs model files besides its Python package."""
    gives_scores: ClassVar[bool]
    """True when `Decoded.confidence` is set (and near misses can be told)."""

    @classmethod
    def open(cls, model: str | None) -> Engine:
        """Make the engine, with the model at `model` where it takes one; raises
        EngineUnavailable with a one-line reason."""
        ...

    @classmethod
    def check(cls, model: str | None = None) -> EngineCheck:
        """Whether it can run here, without a traceback whatever is missing."""
        ...

    def decode(self, pcm: bytes) -> Decoded:
        """Decode 16 kHz mono int16 audio holding one utterance with quiet around it."""
        ...


class EngineUnavailable(RuntimeError):
    """An engine's package or model is missing; the message is one line for the user."""


def engine_class(name: str) -> type[Engine]:
    """The class of the engine called `name`; raises EngineUnavailable if there is none."""
    where = ENGINES.get(name)
    if where is None:
        raise EngineUnavailable(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    module, _, attribute = where.partition(":")
    try:
        found: type[Engine] = getattr(importlib.import_module(module), attribute)
    except ImportError as error:
        raise EngineUnavailable(f"the {name} engine cannot be loaded ({error})") from error
    return found


def make_engine(
    name: str = DEFAULT_ENGINE, model: str | None = None, online: bool = False
) -> Engine:
    """The engine called `name`; raises EngineUnavailable with a one-line reason."""
    cls = engine_class(name)
    if not cls.offline and not online:
        raise EngineUnavailable(f"the {name} engine is online: pass --online to allow it")
    return cls.open(model)


def engines_help() -> str:
    """The choices for --engine, each with what it is (for the CLI's help)."""
    choices = ", ".join(f"{n} ({engine_class(n).about})" for n in ENGINES)
    return f"Recogniser: {choices}. Default {DEFAULT_ENGINE}."


def local_model(engine: str, model: str | None) -> Path:
    """The model folder given by --model for `engine`; EngineUnavailable if none or absent."""
    if model is None:
        raise EngineUnavailable(f"the {engine} engine needs --model PATH (a local model)")
    if not Path(model).exists():
        raise EngineUnavailable(f"{engine} model not found: {model}")
    return Path(model)


def check_by_opening(
    open_engine: Callable[[str | None], object], name: str, model: str | None, fix: str
) -> EngineCheck:
    """The check of an engine whose only test is that it opens with its model."""
    try:
        open_engine(model)
    except EngineUnavailable as error:
        return EngineCheck(False, str(error), fix)
    return EngineCheck(True, f"{name} with the model at {model}")


def phrase_of(transcript: str) -> Decoded:
    """The whole-utterance rule for engines that transcribe freely: the transcript
    (lower case, punctuation dropped) must be exactly one command phrase."""
    text = " ".join("".join(c if c.isalnum() else " " for c in transcript.lower()).split())
    return Decoded(BY_TEXT.get(text), text)
