"""Reading sessions back out of the log, as plain records that round-trip through JSON."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EventRecord:
    """One thing that happened in a session."""

    at: str
    """Wall-clock time, UTC ISO 8601."""
    seq: int
    """Position in the session, from 1."""
    kind: str
    """What happened: "step_started", "hold", "command", "pain_score", "red_flag", ..."""
    data: dict[str, Any]
    """The event's fields, as the engine sent them."""


@dataclass(frozen=True)
class SessionRecord:
    """One session and everything logged in it."""

    id: int
    routine: str
    started: str
    """UTC ISO 8601."""
    ended: str | None
    """UTC ISO 8601; None while the session is still running."""
    outcome: str | None
    """"completed", "quit", "stopped for pain", "urgent" or "interrupted"; None while running."""
    settings: dict[str, Any]
    events: tuple[EventRecord, ...]

    def pain(self, when: str) -> int | None:
        """The last pain score recorded at `when` ("start", "end", "after_pain")."""
        scores = [
            e.data["score"]
            for e in self.events
            if e.kind == "pain_score"
            and e.data.get("when") == when
            and isinstance(e.data.get("score"), int)
        ]
        return scores[-1] if scores else None

    @property
    def is_demo(self) -> bool:
        """Run with --time-scale: holds and rests were sped up, so not a real session."""
        scale = self.settings.get("time_scale", 1.0)
        return isinstance(scale, int | float) and scale != 1.0

    def kinds(self, kind: str) -> list[EventRecord]:
        """The events of one kind, in order."""
        return [e for e in self.events if e.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "routine": self.routine,
            "started": self.started,
            "ended": self.ended,
            "outcome": self.outcome,
            "settings": self.settings,
            "demo": self.is_demo,
            "events": [
                {"at": e.at, "seq": e.seq, "kind": e.kind, "data": e.data} for e in self.events
            ],
        }

    @classmethod
    def from_dict(cls, item: dict[str, Any]) -> SessionRecord:
        return cls(
            id=item["id"],
            routine=item["routine"],
            started=item["started"],
            ended=item["ended"],
            outcome=item["outcome"],
            settings=item.get("settings", {}),
            events=tuple(EventRecord(**event) for event in item.get("events", [])),
        )


def read_sessions(conn: sqlite3.Connection) -> list[SessionRecord]:
    """All sessions, oldest first, each with its events."""
    events: dict[int, list[EventRecord]] = {}
    for session_id, at, seq, kind, data in conn.execute(
        "SELECT session_id, at, seq, kind, data FROM events ORDER BY session_id, seq"
    ):
        events.setdefault(session_id, []).append(EventRecord(at, seq, kind, _load(data)))
    return [
        SessionRecord(
            id=session_id,
            routine=routine,
            started=started,
            ended=ended,
            outcome=outcome,
            settings=_load(settings),
            events=tuple(events.get(session_id, [])),
        )
        for session_id, routine, started, ended, outcome, settings in conn.execute(
            "SELECT id, routine, started, ended, outcome, settings FROM sessions ORDER BY id"
        )
    ]


def _load(text: str) -> dict[str, Any]:
    """A stored JSON object; anything else (hand-edited file) becomes {"value": ...}."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {"value": text}
    return value if isinstance(value, dict) else {"value": value}
