"""The boundaries of the session engine.

The engine talks to the world only through these small interfaces, passed in from
outside, so every behaviour can be driven by fakes and a fake clock in tests.
Nothing here imports an audio library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol


class Command(str, Enum):
    """What a person can ask for, by voice or by key."""

    NEXT = "next"
    STOP = "stop"
    PAIN = "pain"
    PAUSE = "pause"
    RESUME = "resume"
    REPEAT = "repeat"
    SKIP = "skip"
    QUIT = "quit"
    YES = "yes"
    NO = "no"
    HOW_LONG = "how long"
    HELP = "help"
    SCORE = "score"  # a number from zero to ten, carried in Heard.score


STOP_WITHDRAWN = "stop withdrawn"
"""Heard.text of the RESUME a listener sends when its second recogniser finds that a
"stop" it acted on was not one: the coach says so and carries on."""

URGENT_COMMANDS = frozenset({Command.STOP, Command.PAIN})
"""Commands that silence the coach the moment they arrive, whatever it is doing."""

DURING_ROUTINE = frozenset(Command) - {Command.YES, Command.NO, Command.SCORE}
"""What a spoken word may mean while no question is waiting for an answer: "yes", "no"
and the numbers mean nothing then, and heard then they could only be false commands."""

ALWAYS_EXPECTED = URGENT_COMMANDS | {Command.REPEAT, Command.HELP}
"""Taken by voice whatever question is waiting ("repeat" and "help" ask it again)."""


class PainCheck(Protocol):
    """A second recogniser's word, a moment later, on a "pain" the fast one acted on."""

    def doubted(self, within: float) -> bool:
        """Wait up to `within` seconds for it; True only when it came in time and it heard
        other words there (no "pain", "ouch" or "it hurts"): then the coach asks first."""
        ...

    def number_instead(self, within: float) -> Heard | None:
        """Wait up to `within` seconds for it; the number it heard in place of the "pain"
        while a pain score is asked for, if any (the coach asks "Did you say eight?")."""
        ...


@dataclass(frozen=True)
class Heard:
    """One command that reached the coach."""

    command: Command
    source: str = "key"
    """Where it came from: "key" or "voice"."""
    score: int | None = None
    """The number said, for Command.SCORE (0-10)."""
    text: str = ""
    """What was recognised or typed, for the log."""
    confidence: float | None = None
    """The recogniser's confidence, when it came by voice."""
    check: PainCheck | None = field(default=None, compare=False, repr=False)
    """For a fast "pain" a second recogniser is still hearing: its word on it (None: it
    stands as it is)."""


def means_next(heard: Heard) -> bool:
    """ "next" by voice or key. The key "n" arrives as NO (it answers questions too);
    outside a question it means next."""
    return heard.command is Command.NEXT or (
        heard.command is Command.NO and heard.source == "key" and heard.text == "n"
    )


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic clock."""
        ...


class Speaker(Protocol):
    def say(self, text: str) -> bool:
        """Speak a line; block until it has been heard in full or silenced.

        Returns True when the line finished, False when it was cut off.
        """
        ...

    def cue(self, name: str) -> bool:
        """Play a short cue sound ("hold_start", "hold_end", "tick"); same contract as say()."""
        ...

    def silence(self) -> None:
        """Cut off whatever is playing, within one audio block. Safe from any thread."""
        ...

    def duration(self, text: str) -> float:
        """Seconds that saying `text` would take (renders it ahead, so saying it is quick).

        The engine uses this to leave out a count that would run past the end of a hold.
        """
        ...


class SpeakerTrace(Protocol):
    """What the coach's own speaker is doing, for the parts that must not take the coach
    for the person: the listener's self-hearing gate and the echo canceller."""

    def now_playing(self) -> tuple[str, float] | None:
        """(text, monotonic start) of what is playing right now, or None."""
        ...

    def last_played(self) -> tuple[str, float, float] | None:
        """(text, monotonic start, monotonic end) of the last thing that finished or was cut."""
        ...

    def on_block(self, hook: Callable[[bytes, int], None] | None) -> None:
        """Have `hook(pcm, rate)` called with each block as it is played; None: no more."""
        ...


class Listener(Protocol):
    def next_command(self, timeout: float) -> Heard | None:
        """Wait up to `timeout` seconds for the next command; None when none came.

        This is also how the engine waits: there is no other sleep.
        """
        ...

    def expect(self, commands: frozenset[Command] | None) -> None:
        """Take by voice only `commands` (and ALWAYS_EXPECTED) until told otherwise; None
        goes back to DURING_ROUTINE. Keys are always taken: a key press is never a
        mishearing. A question sets this while it waits for its answer."""
        ...


class Display(Protocol):
    """What the person can glance at from the floor."""

    def show_step(self, title: str, text: str) -> None: ...

    def show_hold(self, remaining: float, total: float) -> None: ...

    def show_status(self, text: str) -> None: ...

    def show_notice(self, title: str, lines: Sequence[str]) -> None:
        """Lines that stay on screen for the rest of the session (the first-run notice)."""
        ...

    def show_keys(self, line: str | None) -> None:
        """The keys that count now, in place of the usual keys line (None: back to it)."""
        ...


class Log(Protocol):
    """Where a session's history goes. Every call is committed as it happens."""

    def session_started(self, routine: str, settings: dict[str, Any]) -> None: ...

    def event(self, kind: str, **data: Any) -> None: ...

    def session_ended(self, outcome: str) -> None: ...


class AfterCheck(str, Enum):
    """What the session does after "stop" or "pain" has been dealt with."""

    RESUME = "resume"
    """Carry on with the exercise (only when the person said so)."""
    SKIP = "skip"
    """Move past the exercise that was running."""
    REST = "rest"
    """Go to the rest position, then carry on."""
    END = "end"
    """End the session (saved as quit, or stopped for pain)."""
    URGENT = "urgent"
    """A red flag was answered yes: the urgent advice has been spoken; the session ends."""


class Safety(Protocol):
    """The spoken safety flow the engine hands over to after "stop" or "pain"."""

    def on_pain(self, heard: Heard | None = None) -> AfterCheck:
        """The coach has fallen silent; run the red-flag check and say what comes next.
        `heard`: the "pain" that came, for its check (Heard.check)."""
        ...

    def on_stop(self) -> AfterCheck:
        """The coach has fallen silent; ask whether they are in pain and act on the answer."""
        ...

    def on_severe_pain(self, before_moving: bool) -> AfterCheck:
        """A severe pain score: the red-flag check, then rest (RESUME only when the person
        asks to move, which is offered only `before_moving`)."""
        ...


class Outcome(str, Enum):
    """How a session ended, as the log records it."""

    COMPLETED = "completed"
    QUIT = "quit"
    STOPPED_FOR_PAIN = "stopped for pain"
    URGENT = "urgent"
    INTERRUPTED = "interrupted"


class NoDisplay:
    """A display that shows nothing: for spoken-only flows and benchmarks."""

    def show_step(self, title: str, text: str) -> None:
        pass

    def show_hold(self, remaining: float, total: float) -> None:
        pass

    def show_status(self, text: str) -> None:
        pass

    def show_notice(self, title: str, lines: Sequence[str]) -> None:
        pass

    def show_keys(self, line: str | None) -> None:
        pass


@dataclass
class NullLog:
    """A log that keeps events in memory; used when no log is wanted and in tests."""

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    outcome: str | None = None

    def session_started(self, routine: str, settings: dict[str, Any]) -> None:
        self.events.append(("session_started", {"routine": routine, **settings}))

    def event(self, kind: str, **data: Any) -> None:
        self.events.append((kind, data))

    def session_ended(self, outcome: str) -> None:
        self.outcome = outcome

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]
