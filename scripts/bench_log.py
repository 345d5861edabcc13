"""Benchmark the session log: events written per second (each one committed on its own,
as the coach writes them) and the size of a year of daily sessions.

    .venv/bin/python -m scripts.bench_log [--events 2000] [--days 365]

Runs on a temporary folder; prints its numbers and deletes the folder.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from voicecoach.logbook import SqliteLog, read_sessions
from voicecoach.logbook.store import open_store


def events_per_second(path: Path, count: int) -> tuple[float, float]:
    """Events per second, and the slowest single event in ms."""
    durations = []
    with SqliteLog(path) as log:
        log.session_started("gentle", {"hold_s": 30})
        for n in range(count):
            began = time.perf_counter()
            log.event("command", command="next", source="voice", text=f"next {n}")
            durations.append(time.perf_counter() - began)
        log.session_ended("completed")
    return count / sum(durations), max(durations) * 1000


def typical_session(log: SqliteLog, day: int) -> int:
    """Log what a `gentle` session logs: ~8 steps, holds on each side, a few commands."""
    log.session_started(
        "gentle", {"hold_s": 30, "reps": 3, "side": "both", "count": "every 5 s", "rate": 150}
    )
    log.event("pain_score", when="start", score=7 - day % 5)
    for step in range(1, 9):
        log.event("step_started", step=step, title=f"Knee to chest, step {step}")
        for side in ("left", "right"):
            for _ in range(3):
                log.event("hold", step=step, side=side, planned_s=30, actual_s=30.04)
        log.event("command", command="next", source="voice", text="next")
        log.event("step_finished", step=step, how="done")
    log.event("red_flag", flag="numbness or weakness in the legs", answer="no")
    log.event("advice", text="Cold for 15 to 20 minutes at a time in the first 48 to 72 hours.")
    log.event("pain_score", when="end", score=4 - day % 4)
    log.session_ended("completed")
    return 8 * 9 + 4


def year_of_sessions(path: Path, days: int) -> tuple[int, int, float]:
    """Events written, file size in bytes, and seconds to read every session back."""
    events = 0
    with SqliteLog(path) as log:
        for day in range(days):
            events += typical_session(log, day)
    conn = open_store(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # fold the WAL in: measure the real file
    began = time.perf_counter()
    sessions = read_sessions(conn)
    read_s = time.perf_counter() - began
    conn.close()
    assert len(sessions) == days
    return events, path.stat().st_size, read_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="voicecoach-bench-") as folder:
        rates, worst = [], []
        for run in range(args.runs):
            rate, slowest = events_per_second(Path(folder) / f"rate{run}.sqlite3", args.events)
            rates.append(rate)
            worst.append(slowest)
        print(
            f"events written per second (each committed, synchronous=FULL): "
            f"median {statistics.median(rates):.0f} over {args.runs} runs of {args.events}; "
            f"slowest single event {max(worst):.1f} ms"
        )
        began = time.perf_counter()
        events, size, read_s = year_of_sessions(Path(folder) / "year.sqlite3", args.days)
        write_s = time.perf_counter() - began
        print(
            f"a year of daily sessions: {args.days} sessions, {events} events, "
            f"file {size / 1024:.0f} KiB ({size / args.days / 1024:.1f} KiB per session); "
            f"written in {write_s:.1f} s, all read back in {read_s * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
