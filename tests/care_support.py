"""A rig of fakes for the safety flow and the care timers: one fake clock, scripted answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from tests.fakes import FakeClock, FakeDisplay, FakeListener, FakeSpeaker
from voicecoach.commands.wiring import Coach
from voicecoach.core.ports import Command, Log, NullLog, Outcome
from voicecoach.core.redflags import URGENT_FLAGS
from voicecoach.core.safety import SpokenSafetyCheck
from voicecoach.core.therapy import TherapyPlan, run_therapy


class CareRig:
    def __init__(
        self,
        episode_hours: float | None = None,
        speaker: Callable[[FakeClock], FakeSpeaker] = FakeSpeaker,
    ) -> None:
        self.clock = FakeClock()
        self.speaker = speaker(self.clock)
        self.listener = FakeListener(self.clock, self.speaker)
        self.display = FakeDisplay()
        self.log = NullLog()
        self.safety = SpokenSafetyCheck(
            self.speaker,
            self.listener,
            self.clock,
            self.display,
            self.log,
            episode_hours=lambda: episode_hours,
        )

    def answer(
        self, fragment: str, command: Command, delay: float = 0.5, score: int | None = None
    ) -> None:
        """After the coach says a line containing `fragment`, reply with `command`."""
        self.listener.answer_when_said(fragment, command, delay=delay, score=score)

    def answer_all_flags_no(self) -> None:
        for flag in URGENT_FLAGS:
            self.answer(flag.question, Command.NO)

    def pass_the_check(self) -> None:
        """All red flags no, pain score skipped."""
        self.answer_all_flags_no()
        self.answer("how bad is the pain", Command.SKIP)

    def run_therapy(self, plan: TherapyPlan) -> Outcome:
        return run_therapy(
            plan, self.speaker, self.listener, self.clock, self.display, self.log, self.safety
        )

    def coach(self, log: Log | None = None, listening: bool = True) -> Coach:
        """The rig as a command gets it from wiring.open_coach (its own log unless given)."""
        return Coach(
            self.speaker,
            self.listener,
            self.clock,
            self.display,
            self.log if log is None else log,
            listening=listening,
        )

    def events(self, kind: str) -> list[dict[str, object]]:
        return [data for k, data in self.log.events if k == kind]

    def said(self) -> str:
        return "\n".join(self.speaker.texts())


@dataclass
class FakeEpisodeStore:
    """Stands in for the session log's episode storage."""

    started: datetime | None = None
    scores: list[tuple[datetime, int, str]] = field(default_factory=list)

    def start_episode(self, at: datetime) -> None:
        self.started = at

    def current_episode(self) -> datetime | None:
        return self.started

    def end_episode(self) -> bool:
        ended, self.started = self.started is not None, None
        return ended

    def pain_scores(self, since: datetime) -> list[tuple[datetime, int, str]]:
        return [row for row in self.scores if row[0] >= since]
