"""Text stand-ins for the speaker and listener: lines printed, answers typed.

Used by the care commands (redflags, therapy, remind) when no audio factory is given:
the printed line is the caption, and a typed line (y, n, a number, q...) is a command.
The lead's real factories (speech out, microphone and keys in) replace these by
passing another `make_io` to the commands in care_commands.py.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from voicecoach.inbox import Inbox
from voicecoach.ports import Clock, Command, Display, Heard, Listener, Speaker

WORDS_PER_SECOND = 2.5
"""A typical speaking pace, for duration() of a printed line."""

TYPED_WORDS: dict[str, Command] = {
    "y": Command.YES,
    "yes": Command.YES,
    "n": Command.NO,
    "no": Command.NO,
    "p": Command.PAIN,
    "pain": Command.PAIN,
    "s": Command.STOP,
    "stop": Command.STOP,
    "pause": Command.PAUSE,
    "r": Command.RESUME,
    "resume": Command.RESUME,
    "continue": Command.RESUME,
    "skip": Command.SKIP,
    "next": Command.NEXT,
    "q": Command.QUIT,
    "quit": Command.QUIT,
    "how long": Command.HOW_LONG,
    "h": Command.HELP,
    "help": Command.HELP,
    "repeat": Command.REPEAT,
}
"""What a typed line means (the spoken words, and the keys the lead's key reader uses)."""


def typed_command(line: str) -> Heard | None:
    """A typed line as a command: a word from TYPED_WORDS or a pain score 0-10."""
    text = " ".join(line.strip().lower().split())
    if text.isdigit():
        score = int(text)
        return Heard(Command.SCORE, "key", score=score, text=text) if score <= 10 else None
    command = TYPED_WORDS.get(text)
    return Heard(command, "key", text=text) if command else None


class MonotonicClock:
    def now(self) -> float:
        return time.monotonic()


class PrintSpeaker:
    """Prints each line instead of speaking it; the printout is the caption."""

    def __init__(self, out: Callable[[str], None] = print) -> None:
        self.out = out

    def say(self, text: str) -> bool:
        self.out(text)
        return True

    def cue(self, name: str) -> bool:
        return True

    def silence(self) -> None:
        pass

    def duration(self, text: str) -> float:
        return len(text.split()) / WORDS_PER_SECOND


class QuietDisplay:
    """The printed lines already show everything; only the hold countdown would add noise."""

    def show_step(self, title: str, text: str) -> None:
        pass

    def show_hold(self, remaining: float, total: float) -> None:
        pass

    def show_status(self, text: str) -> None:
        pass


def stdin_listener(stream: TextIO | None = None) -> Inbox:
    """An Inbox fed by a daemon thread reading typed lines (from stdin unless `stream`
    is given); unknown lines are ignored."""
    inbox = Inbox()
    lines = stream if stream is not None else sys.stdin  # looked up now: tests replace it

    def read_lines() -> None:
        for line in lines:
            heard = typed_command(line)
            if heard is not None:
                inbox.put(heard)

    threading.Thread(target=read_lines, name="typed-commands", daemon=True).start()
    return inbox


@dataclass(frozen=True)
class CoachIO:
    """The ports a care command needs, built by one factory."""

    speaker: Speaker
    """Where lines go."""
    listener: Listener
    """Where commands come from."""
    clock: Clock
    """Monotonic time."""
    display: Display
    """What is shown."""


def console_io(no_listen: bool = True) -> CoachIO:
    """Printed lines and typed answers; `no_listen` is accepted for the same call shape as
    the real factory (there is no microphone here either way)."""
    return CoachIO(PrintSpeaker(), stdin_listener(), MonotonicClock(), QuietDisplay())
