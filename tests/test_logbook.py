"""The session log with a real SQLite file: durable, recoverable, never clobbering a bad file."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.logbook_support import (
    PROCESS_TIMEOUT_S,
    read_line,
    spawn_python,
    use_temporary_log,
)
from voicecoach.core.ports import Outcome
from voicecoach.logbook import (
    LogFileError,
    SqliteLog,
    check_store,
    current_episode,
    default_log_path,
    open_store,
    pain_scores,
    read_sessions,
    start_episode,
)
from voicecoach.logbook.owner import Owner, is_gone, this_process
from voicecoach.logbook.store import SCHEMA_VERSION, migrate


@pytest.fixture
def log_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_temporary_log(tmp_path, monkeypatch)


posix_only = pytest.mark.skipif(sys.platform == "win32", reason="uses POSIX signals")

WRITER = """
import sys
from voicecoach.logbook import SqliteLog
log = SqliteLog()
log.session_started("gentle", {"hold_s": 30})
for step in range(1, int(sys.argv[1]) + 1):
    log.event("step_started", step=step, title=f"Step {step}")
print("ready", log.session_id, flush=True)
sys.stdin.readline()          # wait here, mid-session, until told (or killed)
log.session_ended("completed")
print("ended", flush=True)
"""


def sessions(path: Path) -> list:
    conn = open_store(path, recover=False)
    try:
        return read_sessions(conn)
    finally:
        conn.close()


def snapshot(path: Path) -> tuple[bytes, int, list[str]]:
    """What a refused file must keep: its bytes, its mtime, and no new files beside it."""
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(os.listdir(path.parent))


def test_each_event_is_readable_by_another_connection_at_once(log_path: Path) -> None:
    with SqliteLog() as log:
        log.session_started("gentle", {"hold_s": 45})
        log.event("hold", step=3, side="left", planned_s=45, actual_s=45.1)
        log.event("command", command="next", source="voice", text="next")

        reader = sqlite3.connect(log_path)
        rows = reader.execute("SELECT kind, data FROM events ORDER BY seq").fetchall()
        routine, ended = reader.execute("SELECT routine, ended FROM sessions").fetchone()
        reader.close()

    assert [kind for kind, _ in rows] == ["hold", "command"]
    assert '"actual_s":45.1' in rows[0][1]
    assert (routine, ended) == ("gentle", None)


def test_a_finished_session_reads_back_with_its_outcome_and_events(log_path: Path) -> None:
    with SqliteLog() as log:
        log.session_started("gentle", {"hold_s": 30, "side": "both"})
        log.event("pain_score", when="start", score=6)
        log.event("pain_score", when="end", score=3)
        log.session_ended(Outcome.STOPPED_FOR_PAIN)
        log.session_ended(Outcome.COMPLETED)  # a second end (signal + finally) changes nothing

    (session,) = sessions(log_path)
    assert session.outcome == "stopped for pain"
    assert session.settings == {"hold_s": 30, "side": "both"}
    assert (session.pain("start"), session.pain("end")) == (6, 3)
    assert [e.seq for e in session.events] == [1, 2]
    assert session.ended is not None and session.ended >= session.started


def test_leaving_the_block_by_ctrl_c_saves_the_session_as_interrupted(log_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), SqliteLog() as log:
        log.session_started("gentle", {})
        log.event("step_started", step=1, title="Rest position")
        raise KeyboardInterrupt

    (session,) = sessions(log_path)
    assert session.outcome == "interrupted"
    assert len(session.events) == 1


@posix_only
def test_a_coach_killed_outright_keeps_its_events_and_is_closed_as_interrupted(
    log_path: Path,
) -> None:
    writer = spawn_python(WRITER, "3")
    assert read_line(writer).startswith("ready")
    writer.send_signal(signal.SIGKILL)
    assert writer.wait(timeout=PROCESS_TIMEOUT_S) == -signal.SIGKILL

    (before,) = sessions(log_path)
    assert before.ended is None  # nothing closed it: it died without a word

    SqliteLog().close()  # the next coach starts
    (after,) = sessions(log_path)
    assert after.outcome == "interrupted"
    assert [e.data["step"] for e in after.events] == [1, 2, 3]
    assert after.ended == after.events[-1].at  # ended when it was last heard from


@posix_only
def test_a_session_still_running_in_another_coach_is_left_open(log_path: Path) -> None:
    writer = spawn_python(WRITER, "2")
    try:
        assert read_line(writer).startswith("ready")
        SqliteLog().close()  # a second coach starts while the first is mid-session
        (running,) = sessions(log_path)
        assert running.ended is None and running.outcome is None

        assert writer.stdin is not None
        writer.stdin.write("\n")
        writer.stdin.flush()
        assert read_line(writer) == "ended"
    finally:
        writer.kill()
        writer.wait(timeout=PROCESS_TIMEOUT_S)
    (finished,) = sessions(log_path)
    assert finished.outcome == "completed"


CONCURRENT_WRITER = """
import sys, time
from pathlib import Path
from voicecoach.logbook import SqliteLog
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.005)
with SqliteLog() as log:
    log.session_started(sys.argv[1], {})
    for n in range(150):
        log.event("command", command="next", source="key", text=str(n))
    log.session_ended("completed")
"""


@posix_only
def test_two_coaches_writing_at_once_both_land_every_event(log_path: Path) -> None:
    go = log_path.parent.parent / "go"
    writers = [spawn_python(CONCURRENT_WRITER, name, str(go)) for name in ("gentle", "rest")]
    go.touch()  # both start on a brand-new file, racing to create and migrate it
    for writer in writers:
        _, err = writer.communicate(timeout=PROCESS_TIMEOUT_S)
        assert writer.returncode == 0, err

    by_routine = {s.routine: s for s in sessions(log_path)}
    assert sorted(by_routine) == ["gentle", "rest"]
    for session in by_routine.values():
        assert session.outcome == "completed"
        assert [e.data["text"] for e in session.events] == [str(n) for n in range(150)]


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(log_path: Path) -> None:
    log_path.parent.mkdir(parents=True)
    log_path.write_bytes(b"these are my notes, not a database\n" * 100)
    before = snapshot(log_path)

    with pytest.raises(LogFileError, match="damaged") as refused:
        SqliteLog()
    assert str(log_path) in str(refused.value) and "\n" not in str(refused.value)
    with pytest.raises(LogFileError):
        check_store(log_path)
    assert snapshot(log_path) == before


def _finished_log(path: Path) -> None:
    """A log with one finished session, folded into a single file (no -wal beside it)."""
    with SqliteLog(path) as log:
        log.session_started("gentle", {})
        log.event("pain_score", when="start", score=5)
        log.session_ended("completed")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()


def test_a_log_with_damaged_pages_is_refused_and_left_untouched(log_path: Path) -> None:
    _finished_log(log_path)
    data = bytearray(log_path.read_bytes())
    data[100:4096] = b"\xa5" * (4096 - 100)  # the schema page, after the 100-byte header
    log_path.write_bytes(bytes(data))
    before = snapshot(log_path)

    with pytest.raises(LogFileError, match="damaged"):
        SqliteLog()
    assert snapshot(log_path) == before


def test_a_log_from_a_newer_voicecoach_is_refused_and_left_untouched(log_path: Path) -> None:
    _finished_log(log_path)
    conn = sqlite3.connect(log_path)
    conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    conn.commit()
    conn.close()
    before = snapshot(log_path)

    with pytest.raises(LogFileError, match="newer voicecoach") as refused:
        SqliteLog()
    assert "\n" not in str(refused.value)
    with pytest.raises(LogFileError, match="newer voicecoach"):
        check_store(log_path)
    assert snapshot(log_path) == before


def test_someone_elses_sqlite_file_is_refused_and_left_untouched(log_path: Path) -> None:
    log_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(log_path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    before = snapshot(log_path)

    with pytest.raises(LogFileError, match="not a voicecoach log"):
        SqliteLog()
    assert snapshot(log_path) == before


def test_an_older_log_is_migrated_and_keeps_its_sessions(log_path: Path) -> None:
    log_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(log_path, isolation_level=None)
    migrate(conn, upto=1)  # the first released schema: no episodes table yet
    conn.execute(
        "INSERT INTO sessions (routine, started, ended, outcome, owner_pid, owner_host)"
        " VALUES ('gentle', '2026-01-01T08:00:00+00:00', '2026-01-01T08:10:00+00:00',"
        " 'completed', 1, 'old-host')"
    )
    conn.close()

    start_episode(datetime(2026, 1, 1, 7, 0, tzinfo=timezone.utc))

    (session,) = sessions(log_path)
    assert (session.routine, session.outcome) == ("gentle", "completed")
    assert current_episode() == datetime(2026, 1, 1, 7, 0, tzinfo=timezone.utc)


def test_episodes_and_pain_scores_for_the_care_rules(log_path: Path) -> None:
    assert current_episode() is None
    start_episode(datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc))
    start_episode(datetime(2026, 3, 5, 9, 0, tzinfo=timezone.utc))
    assert current_episode() == datetime(2026, 3, 5, 9, 0, tzinfo=timezone.utc)

    before_scores = datetime.now(timezone.utc)
    with SqliteLog() as log:
        log.session_started("gentle", {})
        log.event("pain_score", when="start", score=7)
        log.event("hold", step=2, side="left", planned_s=30, actual_s=30.0)
        log.event("pain_score", when="end", score=4)
        log.session_ended("completed")

    scores = pain_scores(since=before_scores)
    assert [(score, when) for _, score, when in scores] == [(7, "start"), (4, "end")]
    assert all(before_scores <= at <= datetime.now(timezone.utc) for at, _, _ in scores)
    assert pain_scores(since=datetime.now(timezone.utc) + timedelta(seconds=1)) == []


def test_the_log_lives_in_the_platform_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(tmp_path / "mine"))
    assert default_log_path() == tmp_path / "mine" / "log.sqlite3"
    monkeypatch.delenv("VOICECOACH_DATA_DIR")
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
        assert default_log_path() == tmp_path / "xdg" / "voicecoach" / "log.sqlite3"


def test_only_a_process_that_is_really_gone_counts_as_gone() -> None:
    me = this_process()
    assert not is_gone(me)
    assert not is_gone(Owner(me.pid, "another-host", None, None))  # cannot tell: leave it
    if me.started is not None:  # /proc available: a reused pid is told apart
        assert is_gone(Owner(me.pid, me.host, me.boot, started="1"))
    if me.boot is not None:
        assert is_gone(Owner(me.pid, me.host, "an-earlier-boot", me.started))
    assert socket.gethostname() == me.host


def test_a_write_that_fails_mid_session_is_reported_once_and_the_session_goes_on(
    log_path: Path,
) -> None:
    problems: list[str] = []
    log = SqliteLog(on_error=problems.append, busy_timeout_s=0.05)
    log.session_started("gentle", {})
    log.event("step_started", step=1, title="Rest position")

    blocker = sqlite3.connect(log_path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # someone holds the file: writes time out
    log.event("hold", step=1, side="left", planned_s=30, actual_s=30.0)
    log.event("hold", step=1, side="right", planned_s=30, actual_s=30.0)
    blocker.execute("ROLLBACK")
    blocker.close()

    log.event("step_finished", step=1, how="done")
    log.session_ended("completed")
    log.close()

    assert len(problems) == 1 and "\n" not in problems[0]
    assert "session goes on" in problems[0]
    (session,) = sessions(log_path)
    assert session.outcome == "completed"
    assert [(e.seq, e.kind) for e in session.events] == [(1, "step_started"), (4, "step_finished")]


def test_a_session_from_another_host_is_closed_only_once_it_is_a_day_old(log_path: Path) -> None:
    open_store(log_path).close()
    conn = sqlite3.connect(log_path, isolation_level=None)
    for routine, age in (("old", timedelta(days=2)), ("recent", timedelta(minutes=5))):
        started = (datetime.now(timezone.utc) - age).isoformat()
        conn.execute(
            "INSERT INTO sessions (routine, started, owner_pid, owner_host)"
            " VALUES (?, ?, 1, 'laptop-on-a-synced-folder')",
            (routine, started),
        )
    conn.close()

    SqliteLog().close()
    outcomes = {s.routine: s.outcome for s in sessions(log_path)}
    assert outcomes == {"old": "interrupted", "recent": None}


def test_an_empty_file_becomes_a_log(log_path: Path) -> None:
    log_path.parent.mkdir(parents=True)
    log_path.touch()  # left by a crash while the file was being created, say
    with SqliteLog() as log:
        log.session_started("rest", {})
        log.session_ended("completed")
    assert [s.outcome for s in sessions(log_path)] == ["completed"]
