"""Hand-written fakes for driving the engine on a fake clock.

The fakes form a tiny discrete-event simulation: time only moves when the engine
waits (FakeListener.next_command) or speaks (FakeSpeaker.say), and scripted commands
fire at their fake times, cutting off speech the way the real Inbox does.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from voicecoach.core.ports import URGENT_COMMANDS, Command, Heard


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0
        self._events: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self.t

    def at(self, when: float, callback: Callable[[], None]) -> None:
        heapq.heappush(self._events, (when, next(self._seq), callback))

    def advance_until(self, deadline: float, stop: Callable[[], bool]) -> None:
        """Move time to `deadline`, firing events on the way; halt early once stop() is true."""
        if stop():
            return
        while self._events and self._events[0][0] <= deadline:
            when, _, callback = heapq.heappop(self._events)
            self.t = max(self.t, when)
            callback()
            if stop():
                return
        self.t = max(self.t, deadline)


@dataclass
class Spoken:
    at: float
    text: str
    finished: bool
    ended: float = 0.0


class FakeSpeaker:
    """Speaks at `words_per_second`; a line takes at least `min_seconds`."""

    def __init__(
        self, clock: FakeClock, words_per_second: float = 2.5, min_seconds: float = 0.3
    ) -> None:
        self.clock = clock
        self.words_per_second = words_per_second
        self.min_seconds = min_seconds
        self.spoken: list[Spoken] = []
        self.on_said: list[Callable[[str], None]] = []
        self._silenced = False

    def duration(self, text: str) -> float:
        return max(self.min_seconds, len(text.split()) / self.words_per_second)

    def say(self, text: str) -> bool:
        return self._play(text, self.duration(text))

    def cue(self, name: str) -> bool:
        return self._play(f"<{name}>", 0.2)

    def silence(self) -> None:
        self._silenced = True

    def _play(self, text: str, seconds: float) -> bool:
        self._silenced = False
        record = Spoken(self.clock.now(), text, finished=False)
        self.spoken.append(record)
        self.clock.advance_until(self.clock.now() + seconds, stop=lambda: self._silenced)
        record.finished = not self._silenced
        record.ended = self.clock.now()
        self._silenced = False
        for hook in self.on_said:
            hook(text)
        return record.finished

    def texts(self) -> list[str]:
        return [s.text for s in self.spoken]

    def first(self, fragment: str) -> Spoken:
        """The first line containing `fragment` (case-insensitive)."""
        for s in self.spoken:
            if fragment.lower() in s.text.lower():
                return s
        raise AssertionError(f"never said anything with {fragment!r}: {self.texts()}")


@dataclass
class FakeListener:
    """Delivers scripted commands at fake times, and answers spoken prompts on cue."""

    clock: FakeClock
    speaker: FakeSpeaker | None = None
    queue: list[Heard] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    expectations: list[frozenset[Command] | None] = field(default_factory=list)
    """Every expect() call, in order."""

    def command_at(
        self, when: float, command: Command, score: int | None = None, source: str = "key"
    ) -> None:
        heard = Heard(command, source=source, score=score)
        self.clock.at(when, lambda: self.deliver(heard))

    def deliver(self, heard: Heard) -> None:
        if heard.command in URGENT_COMMANDS and self.speaker is not None:
            self.speaker.silence()
        self.queue.append(heard)

    def answer_when_said(
        self,
        fragment: str,
        command: Command,
        delay: float = 0.5,
        times: int = 1,
        score: int | None = None,
        source: str = "key",
    ) -> None:
        """After the coach says a line containing `fragment`, reply with `command` (by key,
        or by `source`)."""
        assert self.speaker is not None, "answer_when_said needs the speaker"
        remaining = [times]

        def hook(text: str) -> None:
            if remaining[0] > 0 and fragment.lower() in text.lower():
                remaining[0] -= 1
                self.command_at(self.clock.now() + delay, command, score, source)

        self.speaker.on_said.append(hook)

    def expect(self, commands: frozenset[Command] | None) -> None:
        self.expectations.append(commands)

    def next_command(self, timeout: float) -> Heard | None:
        self.waits.append(timeout)
        if not self.queue:
            self.clock.advance_until(self.clock.now() + timeout, stop=lambda: bool(self.queue))
        return self.queue.pop(0) if self.queue else None


@dataclass
class FakeDisplay:
    steps: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    """Every line shown to stay on screen (show_notice)."""
    statuses: list[str] = field(default_factory=list)
    holds: list[tuple[float, float]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    """The large text of every show_step, in order."""
    keys: list[str | None] = field(default_factory=list)
    """Every keys line shown in place of the usual one (None: back to the usual)."""

    def show_step(self, title: str, text: str) -> None:
        self.steps.append(title)
        self.texts.append(text)

    def show_hold(self, remaining: float, total: float) -> None:
        self.holds.append((remaining, total))

    def show_status(self, text: str) -> None:
        self.statuses.append(text)

    def show_notice(self, title: str, lines: Sequence[str]) -> None:
        self.steps.append(title)
        self.notices.extend(lines)

    def show_keys(self, line: str | None) -> None:
        self.keys.append(line)
