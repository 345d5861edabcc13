"""The log file itself: where it lives, its schema and migrations, and refusing bad files.

One SQLite file in the platform data folder holds sessions, their events and episodes.
Opening it checks, before anything is written, that it is a voicecoach log of a version
this program understands; a corrupt file or one from a newer voicecoach raises
LogFileError and is left byte-for-byte as it was.

A process opens the file once. SQLite's locks are POSIX locks, which belong to the
process, and closing any descriptor of the file drops all of them: a second open (a
header check, a second connection) closed while the coach runs would let another
process take itself for the last user, checkpoint and delete the WAL under the coach.
So every open_store in a process hands out the same connection, and its close() only
lets go of one use (see _SharedConnection).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from voicecoach.logbook.owner import Owner, is_gone, this_process

LOG_FILE_NAME = "log.sqlite3"
DATA_DIR_ENV = "VOICECOACH_DATA_DIR"
BUSY_TIMEOUT_S = 15.0
"""How long a write waits for another coach's write to finish before giving up."""
OTHER_HOST_STALE_AFTER = timedelta(hours=24)
"""An unfinished session from another host is taken as dead after this long."""
INTERRUPTED = "interrupted"  # ports.Outcome.INTERRUPTED, kept literal to avoid the import

_SQLITE_MAGIC = b"SQLite format 3\x00"


class LogFileError(Exception):
    """The log file cannot be used; the message is one line saying why and what to do."""


def default_log_path() -> Path:
    """Where the log lives: $VOICECOACH_DATA_DIR, else the platform data folder.

    On Linux that is $XDG_DATA_HOME/voicecoach (default ~/.local/share/voicecoach).
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser() / LOG_FILE_NAME
    from platformdirs import user_data_dir

    return Path(user_data_dir("voicecoach", appauthor=False)) / LOG_FILE_NAME


def now_iso() -> str:
    """Wall-clock time now, UTC, ISO 8601 (text order is time order)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


# --- schema -------------------------------------------------------------------------

_V1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    routine TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    outcome TEXT,
    settings TEXT NOT NULL DEFAULT '{}',
    owner_pid INTEGER NOT NULL,
    owner_host TEXT NOT NULL,
    owner_boot TEXT,
    owner_started TEXT
);
CREATE TABLE events (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (session_id, seq)
);
CREATE INDEX sessions_unfinished ON sessions(ended) WHERE ended IS NULL;
"""

_V2 = """
CREATE TABLE episodes (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    recorded TEXT NOT NULL
);
CREATE INDEX events_kind ON events(kind);
"""

_V3 = """
ALTER TABLE episodes ADD COLUMN ended TEXT;
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3)
"""MIGRATIONS[n] takes a file from version n to n+1. Only ever append to this list."""
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, upto: int = SCHEMA_VERSION) -> None:
    """Bring the schema up to `upto`, in one transaction, safe against a second coach."""
    conn.execute("BEGIN IMMEDIATE")  # takes the write lock, so two openers cannot both migrate
    try:
        current = _read_version(conn)
        if current is None:
            conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            conn.execute("INSERT INTO schema_version VALUES (0)")
            current = 0
        for version in range(current, upto):
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("UPDATE schema_version SET version = ?", (version + 1,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _read_version(conn: sqlite3.Connection) -> int | None:
    """The file's schema version; None for a brand-new empty file."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "schema_version" not in tables:
        if tables:
            raise _NotOurs()
        return None
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    if row is None or not isinstance(row[0], int):
        raise _NotOurs()
    return int(row[0])


class _NotOurs(Exception):
    """An SQLite file that is not a voicecoach log."""


# --- opening --------------------------------------------------------------------------


def open_store(
    path: Path | None = None, recover: bool = True, busy_timeout_s: float = BUSY_TIMEOUT_S
) -> sqlite3.Connection:
    """Open (creating if absent) the log, migrated to the current schema.

    The connection is in autocommit mode: every statement outside an explicit
    transaction is committed at once. With `recover`, sessions whose process is gone
    are closed as "interrupted" first. Raises LogFileError for a file it must not touch.

    The process's one connection to the file: a second call while the first is open
    returns the same one (its busy timeout is the first caller's). Each caller closes
    it once; the file itself is closed when the last one has.
    """
    path = path or default_log_path()
    with _registry_lock:
        conn = _registry.get(_key(path))
        if conn is None:
            conn = _open_connection(path, busy_timeout_s)
            _registry[_key(path)] = conn
        else:
            conn.users += 1
    if recover:
        try:
            close_orphaned_sessions(conn)
        except sqlite3.Error as error:
            conn.close()
            raise LogFileError(f"the log {path} cannot be used: {error}") from error
    return conn


class _SharedConnection(sqlite3.Connection):
    """The one connection of this process to a log file, shared by everyone who opens it.

    close() lets go of one use; the last one closes the file for real."""

    users = 1
    registered_as: Path | None = None

    def close(self) -> None:
        with _registry_lock:
            if self.users > 1:
                self.users -= 1
                return
            self.users = 0
            if self.registered_as is not None and _registry.get(self.registered_as) is self:
                del _registry[self.registered_as]
        super().close()


_registry: dict[Path, _SharedConnection] = {}
"""The open log files of this process, by resolved path."""
_registry_lock = threading.RLock()


def _key(path: Path) -> Path:
    return path.expanduser().resolve()


def _open_connection(path: Path, busy_timeout_s: float) -> _SharedConnection:
    """Open, check and migrate the file: the first and only open in this process."""
    _check_header(path)  # reads the file directly: safe only while no connection is open
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path,
            timeout=busy_timeout_s,
            isolation_level=None,
            check_same_thread=False,
            factory=_SharedConnection,
        )
    except (OSError, sqlite3.Error) as error:
        raise LogFileError(f"cannot open the log {path}: {error}") from error
    try:
        _refuse_unusable(conn, path)  # reads only: nothing is written before this passes
        _use_wal(conn, busy_timeout_s)
        conn.execute("PRAGMA synchronous=FULL")  # a commit survives power loss, not only a kill
        conn.execute("PRAGMA foreign_keys=ON")
        migrate(conn)
    except LogFileError:
        conn.close()
        raise
    except sqlite3.Error as error:
        conn.close()
        raise LogFileError(f"the log {path} cannot be used: {error}") from error
    conn.registered_as = _key(path)
    return conn


def _use_wal(conn: sqlite3.Connection, timeout_s: float) -> None:
    """Switch to WAL. On a brand-new file another coach may hold the lock this instant,
    and SQLite answers "database is locked" at once here (no busy wait): try again."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def check_store(path: Path | None = None) -> str:
    """Check the log without writing anything; a one-line description, or LogFileError."""
    path = path or default_log_path()
    if not path.exists():
        folder = _nearest_existing(path.parent)
        if not os.access(folder, os.W_OK):
            raise LogFileError(f"cannot create the log in {path.parent}: folder not writable")
        return f"no log yet; it will be created at {path}"
    for needs_writing in (path, path.parent):
        if not os.access(needs_writing, os.W_OK):
            raise LogFileError(f"the log cannot be written: {needs_writing} is read-only")
    with _registry_lock:
        conn = _registry.get(_key(path))
        if conn is not None:  # this process has it open already: ask that connection
            count = _count_sessions(conn, path)
        else:
            _check_header(path)
            count = _count_sessions(_open_read_only(path), path, close=True)
    return f"{path} ({'empty' if count is None else f'{count} sessions'})"


def _open_read_only(path: Path) -> sqlite3.Connection:
    try:
        return sqlite3.connect(
            f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S
        )
    except sqlite3.Error as error:
        raise LogFileError(f"cannot open the log {path}: {error}") from error


def _count_sessions(conn: sqlite3.Connection, path: Path, close: bool = False) -> int | None:
    try:
        return _refuse_unusable(conn, path)
    except sqlite3.Error as error:
        raise LogFileError(f"the log {path} cannot be read: {error}") from error
    finally:
        if close:
            conn.close()


def _nearest_existing(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _check_header(path: Path) -> None:
    """Refuse a non-empty file that does not start with SQLite's magic bytes."""
    try:
        with path.open("rb") as file:
            head = file.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except OSError as error:
        raise LogFileError(f"cannot read the log {path}: {error}") from error
    # Empty, short or still all zeros: another coach is creating it this instant (its
    # first page is being written); SQLite itself judges it once the header is there.
    being_created = len(head) < len(_SQLITE_MAGIC) or not head.strip(b"\0")
    if not being_created and head != _SQLITE_MAGIC:
        raise _corrupt(path, "it is not an SQLite database")


def _refuse_unusable(conn: sqlite3.Connection, path: Path) -> int | None:
    """Raise LogFileError for a file this program must not touch; else how many
    sessions it holds (None for a new, empty file)."""
    sessions = None
    try:
        version = _read_version(conn)
        if version is not None:
            (sessions,) = conn.execute("SELECT count(*) FROM sessions").fetchone()
    except _NotOurs:
        raise LogFileError(
            f"{path} is not a voicecoach log; move it away or set {DATA_DIR_ENV} elsewhere"
        ) from None
    except sqlite3.DatabaseError as error:
        raise _corrupt(path, str(error)) from error
    if version is not None and version > SCHEMA_VERSION:
        raise LogFileError(
            f"the log {path} was written by a newer voicecoach (schema {version}, this one "
            f"reads up to {SCHEMA_VERSION}); upgrade with 'pip install -U voicecoach'"
        )
    return sessions


def _corrupt(path: Path, why: str) -> LogFileError:
    return LogFileError(
        f"the log {path} is damaged ({why}); it was left untouched: move it away to start "
        "a new log, or run 'voicecoach history --forget' to delete it"
    )


# --- crash recovery ---------------------------------------------------------------------


def close_orphaned_sessions(
    conn: sqlite3.Connection, gone: Callable[[Owner], bool] = is_gone
) -> list[int]:
    """Close every unfinished session whose process has died, as "interrupted".

    Its events stay; `ended` is the time of its last event (when it was last alive).
    Sessions of processes that still run are left alone. Returns the ids closed.
    """
    rows = conn.execute(
        "SELECT id, started, owner_pid, owner_host, owner_boot, owner_started"
        " FROM sessions WHERE ended IS NULL"
    ).fetchall()
    closed = []
    for session_id, started, pid, host, boot, started_token in rows:
        owner = Owner(pid=pid, host=host, boot=boot, started=started_token)
        if gone(owner) or _stale_elsewhere(owner, started):
            conn.execute(
                "UPDATE sessions SET outcome = ?, ended = coalesce("
                " (SELECT max(at) FROM events WHERE session_id = sessions.id), started)"
                " WHERE id = ? AND ended IS NULL",
                (INTERRUPTED, session_id),
            )
            closed.append(session_id)
    return closed


def _stale_elsewhere(owner: Owner, started: str) -> bool:
    if owner.host == this_process().host:
        return False
    try:
        age = datetime.now(timezone.utc) - datetime.fromisoformat(started)
    except (TypeError, ValueError):
        return True  # an unreadable start time cannot belong to a coach running now
    return age > OTHER_HOST_STALE_AFTER
