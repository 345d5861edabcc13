"""Keys mirror every spoken word, so the coach works with no microphone at all.

A reader thread puts each key press into the Inbox. On a terminal it switches stdin to
cbreak mode (one key at a time, no echo) and always puts it back, even after Ctrl-C.
The key "n" is both "next" and "no": it is sent as NO from the keyboard, and the engine
treats a keyboard NO as "next" when no question is being asked.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
from collections.abc import Callable
from typing import IO

from voicecoach.core.keymap import KEYMAP
from voicecoach.core.ports import Command, Heard


def key_to_heard(key: str) -> Heard | None:
    """The command a key stands for; digits are pain scores (t is ten)."""
    key = key.lower()
    if key.isdigit() and len(key) == 1:
        return Heard(Command.SCORE, source="key", score=int(key), text=key)
    if key == "t":
        return Heard(Command.SCORE, source="key", score=10, text=key)
    command = KEYMAP.get(key)
    return Heard(command, source="key", text=key) if command is not None else None


class KeyReader:
    """Reads keys on a thread until stopped or the input ends."""

    def __init__(self, deliver: Callable[[Heard], None], stream: IO[str] | None = None) -> None:
        self._deliver = deliver
        self._stream = stream or sys.stdin
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="keys", daemon=True)
        self._saved_mode: list | None = None

    def start(self) -> KeyReader:
        self._enter_cbreak()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1.0)
        self.restore_terminal()

    def _fileno(self) -> int | None:
        try:
            return self._stream.fileno()
        except (OSError, ValueError, AttributeError):
            return None

    def _enter_cbreak(self) -> None:
        fd = self._fileno()
        if fd is None or not os.isatty(fd):
            return
        import termios
        import tty

        self._saved_mode = termios.tcgetattr(fd)
        tty.setcbreak(fd)

    def restore_terminal(self) -> None:
        fd = self._fileno()
        if self._saved_mode is None or fd is None:
            return
        import termios

        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(fd, termios.TCSADRAIN, self._saved_mode)
        self._saved_mode = None

    def _run(self) -> None:
        fd = self._fileno()
        while not self._stop.is_set():
            if fd is not None:
                ready, _, _ = select.select([fd], [], [], 0.1)
                if not ready:
                    continue
                data = os.read(fd, 32).decode("utf-8", "ignore")
            else:
                data = self._stream.read(1)
            if not data:
                return  # input closed: keys are over, the coach carries on
            if data.startswith("\x1b"):
                continue  # arrow and function keys: their letters are not commands
            for key in data:
                heard = key_to_heard(key)
                if heard is not None:
                    self._deliver(heard)
