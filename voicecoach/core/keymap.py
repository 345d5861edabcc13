"""Which key sends which command: data the terminal reads keys by and the coach names keys
from ("press c to carry on"), so the core needs no terminal code to say it."""

from __future__ import annotations

from voicecoach.core.ports import Command

KEYMAP: dict[str, Command] = {
    " ": Command.NEXT,
    "\n": Command.NEXT,
    "\r": Command.NEXT,
    "n": Command.NO,
    "s": Command.STOP,
    "p": Command.PAIN,
    "w": Command.PAUSE,
    "c": Command.RESUME,
    "r": Command.REPEAT,
    "k": Command.SKIP,
    "q": Command.QUIT,
    "y": Command.YES,
    "h": Command.HOW_LONG,
    "?": Command.HELP,
}
