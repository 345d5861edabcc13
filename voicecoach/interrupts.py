"""Ending a session cleanly when the process is told to stop (Ctrl-C, SIGTERM, hang-up).

Python turns Ctrl-C into KeyboardInterrupt, but SIGTERM and SIGHUP end the process on
the spot with no `finally` run, leaving the session open until the next start finds it.
Inside `signals_interrupt()` all three raise SessionInterrupted in the main thread, so
every `finally` runs (the log records "interrupted", the terminal is restored) and the
program can exit with the conventional code: 130 for Ctrl-C, 143 for SIGTERM.

    try:
        with SqliteLog() as log, signals_interrupt():
            run_the_session(log)          # SqliteLog's exit ends it as "interrupted"
    except SessionInterrupted as stop:
        raise typer.Exit(stop.exit_code)
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

_SIGNAL_NAMES = ("SIGINT", "SIGTERM", "SIGHUP")  # SIGHUP: the terminal window was closed


class SessionInterrupted(KeyboardInterrupt):
    """The process was told to stop. A KeyboardInterrupt, so `except Exception` lets it by."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal number: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP."""
        return 128 + self.signum


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise SessionInterrupted(signum)


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """Within the block, SIGINT/SIGTERM/SIGHUP raise SessionInterrupted; restored after.

    Signal handlers can only be set from the main thread; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    for name in _SIGNAL_NAMES:
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, _raise_interrupted)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
