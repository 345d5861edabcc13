"""How the coach says what to answer: words when it listens, keys when it runs on keys only.

The keys are the keymap the terminal reads keys by (core/keymap.py): what is said works.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicecoach.core.keymap import KEYMAP
from voicecoach.core.ports import Command


def key_for(command: Command) -> str:
    """The letter key that sends `command` ("c" for resume)."""
    for key, mapped in KEYMAP.items():
        if mapped is command and key.isalpha():
            return key
    raise KeyError(f"no key for {command.value}")


@dataclass(frozen=True)
class Wording:
    listening: bool = True
    """True: tell people what to say; False: which key to press."""

    def do(self, command: Command) -> str:
        """ "say resume", or "press c"."""
        return f"say {command.value}" if self.listening else f"press {key_for(command)}"

    def Do(self, command: Command) -> str:  # noqa: N802 (the sentence-initial form)
        """ "Say resume", or "Press c"."""
        return capital(self.do(command))

    def yes_no(self) -> str:
        if self.listening:
            return "Say yes or no."
        return f"Press {key_for(Command.YES)} for yes, or {key_for(Command.NO)} for no."

    def score(self) -> str:
        if self.listening:
            return "Say a number, or say skip."
        return f"Press a number key, t for ten, or {key_for(Command.SKIP)} to skip."


SPOKEN = Wording(listening=True)
"""The wording when the coach listens (the default)."""


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]
