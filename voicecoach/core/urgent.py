"""The one answer to "stop" and "pain", for every flow that speaks or listens.

The routine (engine.py), the cold and heat timer, the reminders, the red-flag check and
the spoken care summary all send "stop" and "pain" here; none of them decides what the
two words do:
- "pain": the coach is already silent (the Inbox silenced it as the word arrived); the
  red-flag check runs (Safety.on_pain), or "Are you in pain?" first when the second
  recogniser heard other words where the fast one heard "pain".
- "stop": already silent; "Are you in pain?", and the follow-up a routine has
  (Safety.on_stop).
A "stop" or "pain" said during one of the check's own questions that does not take it as
an answer (a red-flag question, the pain score) starts the check again with that word.

CommandLoop is how the flows other than a routine speak and wait: it hands them every
other command, and raises CheckEnded when the check decided the flow ends.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TypeVar

from voicecoach.core.asking import UrgentHeard
from voicecoach.core.ports import (
    URGENT_COMMANDS,
    AfterCheck,
    Clock,
    Command,
    Heard,
    Listener,
    Log,
    Safety,
    Speaker,
)

T = TypeVar("T")

CARRY_ON = frozenset({AfterCheck.RESUME, AfterCheck.REST})
"""Decisions after which a flow other than a routine carries on (it has no rest step)."""
AFTER_CHECK = "after check"
"""The source of the RESUME a CommandLoop hands back when the person chose to carry on."""


def respond(safety: Safety, heard: Heard) -> AfterCheck:
    """Act on "stop" or "pain" (the coach is silent already); returns what comes next."""
    first = heard
    while True:
        try:
            if heard.command is Command.PAIN:  # a doubted "pain" is asked about only when it
                return safety.on_pain(heard if heard is first else None)  # began the check
            return safety.on_stop()
        except UrgentHeard as again:  # said during the check's own question: start again
            heard = again.heard


class CheckEnded(Exception):
    """The check after "stop" or "pain" decided the flow ends (END, SKIP or URGENT)."""

    def __init__(self, decision: AfterCheck, after: Command) -> None:
        super().__init__(decision.value)
        self.decision = decision
        self.after = after


class CommandLoop:
    """Speaking and waiting with "stop" and "pain" handled the same way in every flow."""

    def __init__(
        self, speaker: Speaker, listener: Listener, clock: Clock, safety: Safety, log: Log
    ) -> None:
        self.speaker = speaker
        self.listener = listener
        self.clock = clock
        self.safety = safety
        self.log = log
        self.checked_seconds = 0.0
        """Clock seconds spent in checks so far: a timer leaves them out of its time."""
        self._kept: deque[Heard] = deque()
        """Commands that came with a "stop" or "pain" that cut a line off, handed out next."""

    def next_command(self, timeout: float) -> Heard | None:
        """Like Listener.next_command; "stop" and "pain" are dealt with here. When the person
        chose to carry on after them, a RESUME from source AFTER_CHECK is returned."""
        if self._kept:
            return self.attend(self._kept.popleft())
        return self.attend(self.listener.next_command(timeout))

    def say(self, line: str) -> None:
        """Say a line; when "stop" or "pain" cut it off, check, then say it again. The
        RESUME that says the person carried on is handed out by the next wait."""
        while not self.speaker.say(line):
            urgent = self._take_waiting()
            if urgent is None:
                return  # cut off by something else (the output failed): go on
            resumed = self.attend(urgent)
            if resumed is not None:
                self._kept.append(resumed)

    def guard(self, flow: Callable[[], T]) -> T:
        """Run a spoken flow (the red-flag check) whose questions raise UrgentHeard; after
        the check, when the person carries on, the flow starts again."""
        while True:
            try:
                return flow()
            except UrgentHeard as urgent:
                self.attend(urgent.heard)

    def attend(self, heard: Heard | None) -> Heard | None:
        """Hand back an ordinary command; check after "stop" or "pain"."""
        if heard is None or heard.command not in URGENT_COMMANDS:
            return heard
        began = self.clock.now()
        try:
            decision = respond(self.safety, heard)
        finally:
            self.checked_seconds += self.clock.now() - began
        self.log.event("after_check", decision=decision.value, after=heard.command.value)
        if decision not in CARRY_ON:
            raise CheckEnded(decision, heard.command)
        return Heard(Command.RESUME, source=AFTER_CHECK, text=f"after {heard.command.value}")

    def _take_waiting(self) -> Heard | None:
        """The first "stop" or "pain" waiting; the other commands are kept, in order."""
        urgent: Heard | None = None
        while (heard := self.listener.next_command(0.0)) is not None:
            if urgent is None and heard.command in URGENT_COMMANDS:
                urgent = heard
            else:
                self._kept.append(heard)
        return urgent
