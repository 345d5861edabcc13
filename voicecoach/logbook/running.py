"""Which coaches have a session open in the log right now (another terminal, this machine).

A second coach started meanwhile asks before starting (both would act on every word
said), and `history --forget` refuses while one runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from voicecoach.logbook.owner import Owner, is_gone
from voicecoach.logbook.store import LogFileError, default_log_path, open_store


@dataclass(frozen=True)
class RunningSession:
    """A session whose coach is still alive."""

    pid: int
    routine: str
    """What it runs: "gentle", "therapy cold", ..."""

    def describe(self) -> str:
        return f"{self.routine}, process {self.pid}"


def running_sessions(path: Path | None = None) -> list[RunningSession]:
    """Sessions with no end whose process still runs, oldest first; none when there is no
    log yet or the file is damaged (then no coach can be writing to it)."""
    path = path or default_log_path()
    if not path.exists():
        return []  # looking creates nothing
    try:
        conn = open_store(path)
    except LogFileError:
        return []
    try:
        rows = conn.execute(
            "SELECT routine, owner_pid, owner_host, owner_boot, owner_started FROM sessions"
            " WHERE ended IS NULL ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    return [
        RunningSession(pid=pid, routine=routine)
        for routine, pid, host, boot, started in rows
        if not is_gone(Owner(pid, host, boot, started))
    ]
