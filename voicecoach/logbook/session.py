"""SqliteLog: the engine's Log, writing each event to the log file as it happens."""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicecoach.core.ports import NullLog
from voicecoach.logbook.owner import this_process
from voicecoach.logbook.store import (
    BUSY_TIMEOUT_S,
    LogFileError,
    default_log_path,
    now_iso,
    open_store,
)

if TYPE_CHECKING:
    from voicecoach.core.ports import Log


def to_json(data: Any) -> str:
    """Compact JSON; anything unusual (an enum, a Path) is written as its text."""
    return json.dumps(data, default=str, ensure_ascii=False, separators=(",", ":"))


def _warn_on_stderr(message: str) -> None:
    print(f"voicecoach: {message}", file=sys.stderr, flush=True)


class SqliteLog:
    """The session log (ports.Log) backed by the SQLite file.

    Opening it closes sessions left unfinished by killed coaches, and raises
    LogFileError for a damaged or newer file. Each call commits before it returns,
    so a coach killed at any moment leaves every event it had logged.

    A write that fails mid-session (disk full, file locked too long) never stops the
    session: `on_error` is told once, in one line, and later writes are still tried.
    Calls are safe from any thread; session_ended is idempotent. Used as a context
    manager, leaving the block by an exception (Ctrl-C) ends an open session as
    "interrupted".
    """

    def __init__(
        self,
        path: Path | None = None,
        on_error: Callable[[str], None] = _warn_on_stderr,
        busy_timeout_s: float = BUSY_TIMEOUT_S,
    ) -> None:
        self.path = path or default_log_path()
        self._on_error = on_error
        self._conn: sqlite3.Connection | None = open_store(self.path, busy_timeout_s=busy_timeout_s)
        self._lock = threading.RLock()
        self._session_id: int | None = None
        self._seq = 0
        self._error_reported = False

    @property
    def session_id(self) -> int | None:
        """The id of the session being written, if one is open."""
        return self._session_id

    def session_started(self, routine: str, settings: dict[str, Any]) -> None:
        owner = this_process()
        with self._lock:
            if self._session_id is not None:
                self.session_ended("interrupted")  # a new session cannot nest in an open one
            self._seq = 0
            self._session_id = self._write(
                "INSERT INTO sessions (routine, started, settings, owner_pid, owner_host,"
                " owner_boot, owner_started) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    routine,
                    now_iso(),
                    to_json(settings),
                    owner.pid,
                    owner.host,
                    owner.boot,
                    owner.started,
                ),
            )

    def event(self, kind: str, **data: Any) -> None:
        with self._lock:
            if self._session_id is None:
                return  # nothing to attach it to; the engine logs only inside a session
            self._seq += 1  # a failed write leaves a gap in seq: visibly something is missing
            self._write(
                "INSERT INTO events (session_id, at, seq, kind, data) VALUES (?, ?, ?, ?, ?)",
                (self._session_id, now_iso(), self._seq, kind, to_json(data)),
            )

    def session_ended(self, outcome: str) -> None:
        with self._lock:
            if self._session_id is None:
                return
            self._write(
                "UPDATE sessions SET ended = ?, outcome = ? WHERE id = ? AND ended IS NULL",
                (now_iso(), str(getattr(outcome, "value", outcome)), self._session_id),
            )
            self._session_id = None  # if that failed, the next start closes it as interrupted

    def close(self) -> None:
        """End a session left open as "interrupted", then close the file."""
        with self._lock:
            if self._conn is not None:
                self.session_ended("interrupted")
                self._conn.close()
                self._conn = None

    def __enter__(self) -> SqliteLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _write(self, sql: str, params: tuple[Any, ...]) -> int | None:
        """Run one statement (committed at once); the new row id, or None if it failed."""
        if self._conn is None:
            raise RuntimeError("the session log has been closed")
        try:
            return self._conn.execute(sql, params).lastrowid
        except sqlite3.Error as error:
            if not self._error_reported:
                self._error_reported = True
                self._on_error(
                    f"the session log {self.path} could not be written ({error}); "
                    "the session goes on, but this part of it is not saved"
                )
            return None


def open_session_log(
    notice: Callable[[str], None], path: Path | None = None
) -> SqliteLog | NullLog:
    """The log for a coaching session: SqliteLog, or, when the file cannot be used, a
    NullLog after one plain notice; the session itself still runs (and the file is
    left untouched)."""
    try:
        return SqliteLog(path, on_error=notice)
    except LogFileError as error:
        notice(f"This session will not be saved: {error}")
        return NullLog()


if TYPE_CHECKING:

    def _sqlite_log_is_a_log(log: SqliteLog) -> Log:
        return log  # mypy checks here that SqliteLog keeps to the engine's Log protocol
