"""Episodes (when a spasm began) and the pain scores the care rules read.

The care advice depends on time since the spasm began (cold for the first 48-72 hours,
see a clinician after 72 hours without improvement), so the log keeps when each episode
started. These functions open the log, do one thing, and close it again.

Datetimes given without a timezone are taken as local time; datetimes returned are
timezone-aware (UTC).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from voicecoach.logbook.store import now_iso, open_store


def start_episode(at: datetime, path: Path | None = None) -> None:
    """Record that a new episode (spasm) began at `at`; it becomes the current one and
    any earlier one still open is ended (one episode at a time)."""
    conn = open_store(path)
    try:
        with conn:
            conn.execute("UPDATE episodes SET ended = ? WHERE ended IS NULL", (now_iso(),))
            conn.execute(
                "INSERT INTO episodes (started, recorded) VALUES (?, ?)", (_iso(at), now_iso())
            )
    finally:
        conn.close()


def end_episode(path: Path | None = None) -> bool:
    """End the current episode (the spasm is over); False when none was open."""
    conn = open_store(path)
    try:
        with conn:
            ended = conn.execute(
                "UPDATE episodes SET ended = ? WHERE ended IS NULL", (now_iso(),)
            ).rowcount
    finally:
        conn.close()
    return ended > 0


def current_episode(path: Path | None = None) -> datetime | None:
    """When the current episode began: the one recorded last and not ended; else None."""
    conn = open_store(path)
    try:
        row = conn.execute(
            "SELECT started FROM episodes WHERE ended IS NULL ORDER BY recorded DESC, id DESC"
            " LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return datetime.fromisoformat(row[0]) if row else None


def pain_scores(since: datetime, path: Path | None = None) -> list[tuple[datetime, int, str]]:
    """Every pain score logged at or after `since`, oldest first: (time, score, when).

    `when` is "start", "end" or "after_pain" (the moment in the session it was asked).
    """
    conn = open_store(path)
    try:
        rows = conn.execute(
            "SELECT at, data FROM events WHERE kind = 'pain_score' AND at >= ?"
            " ORDER BY at, session_id, seq",
            (_iso(since),),
        ).fetchall()
    finally:
        conn.close()
    scores = []
    for at, data in rows:
        fields = json.loads(data)
        score, when = fields.get("score"), str(fields.get("when", ""))
        if isinstance(score, int):
            scores.append((datetime.fromisoformat(at), score, when))
    return scores


def _iso(moment: datetime) -> str:
    """UTC ISO text, comparable as text with the log's timestamps."""
    if moment.tzinfo is None:
        moment = moment.astimezone()  # naive: local time
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")
