"""Where commands from every source meet: keys, voice, anything else.

The Inbox is the real Listener the engine waits on. Sources call put() from their own
threads. "stop" and "pain" silence the coach the moment they arrive, before the engine
even looks at them, so they cut speech off mid-word.
"""

from __future__ import annotations

import queue
from collections.abc import Callable

from voicecoach.core.ports import ALWAYS_EXPECTED, DURING_ROUTINE, URGENT_COMMANDS, Command, Heard


class Inbox:
    def __init__(self, on_urgent: Callable[[], None] | None = None) -> None:
        self._queue: queue.Queue[Heard] = queue.Queue()
        self._on_urgent = on_urgent
        self._expected = DURING_ROUTINE

    def expect(self, commands: frozenset[Command] | None) -> None:
        """What a spoken word may mean from now on (see ports.Listener.expect)."""
        self._expected = DURING_ROUTINE if commands is None else commands | ALWAYS_EXPECTED

    def expected(self) -> frozenset[Command]:
        """What the voice listener should take now; safe from any thread."""
        return self._expected

    def set_urgent_handler(self, on_urgent: Callable[[], None]) -> None:
        self._on_urgent = on_urgent

    def put(self, heard: Heard) -> None:
        """Deliver a command; safe from any thread."""
        # Queue first, then silence: when the cut-off speech returns, its cause is waiting.
        self._queue.put(heard)
        if self._on_urgent is not None and _cuts_the_coach_off(heard):
            self._on_urgent()

    def next_command(self, timeout: float) -> Heard | None:
        try:
            return self._queue.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

    def clear(self) -> None:
        """Drop commands that were waiting (a stale "next" must not skip a new step)."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return


def _cuts_the_coach_off(heard: Heard) -> bool:
    """ "stop" and "pain" always; the quit key too (q quits at once, mid-sentence). A spoken
    "quit" waits for its line to end: it is asked about first, and may be misheard."""
    quit_key = heard.command is Command.QUIT and heard.source == "key"
    return heard.command in URGENT_COMMANDS or quit_key
