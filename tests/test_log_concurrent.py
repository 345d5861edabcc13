"""The log while a coach is running and other commands run in other terminals (issue 11).

Real processes on a real SQLite file: a routine in a pseudo-terminal, and meanwhile
`history`, `history --json`, `episode start`, `therapy cold` and a second routine.
Nothing any of them writes may be lost, and the running coach's files must never be
deleted under it (which happened when a process opened the log file twice: closing one
descriptor drops all of the process's POSIX locks on the file, so another process took
itself for the last user, checkpointed and deleted the WAL).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pexpect
import pytest

from voicecoach.core.routines import load_catalogue

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_S = 60
ANOTHER_COACH = "already running"
"""What a second coach says before asking whether to start."""

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="watches the coach's files through /proc"
)


def voicecoach(*arguments: str) -> str:
    """Run one command to the end (no terminal); its output, failing on a non-zero exit."""
    result = subprocess.run(
        [sys.executable, "-m", "voicecoach", *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"{arguments}: {result.stdout}{result.stderr}"
    return result.stdout


def coach_in_a_terminal(*arguments: str, **env: str) -> pexpect.spawn:
    """A coach in a pseudo-terminal, captions only, twenty times faster; keys only unless
    the arguments say "--listen"."""
    listen = ["--no-listen"] if "--listen" not in arguments else []
    return pexpect.spawn(
        sys.executable,
        ["-m", "voicecoach", *arguments, *listen, "--captions-only", "--time-scale", "0.05"],
        cwd=str(REPO),
        env=dict(os.environ, PYTHONUNBUFFERED="1", **env),
        encoding="utf-8",
        timeout=TIMEOUT_S,
        dimensions=(40, 120),
    )


def start_anyway(coach: pexpect.spawn, first_line: str) -> None:
    """Wait for the coach's first line, saying yes if it asks about the other coach."""
    if coach.expect([ANOTHER_COACH, first_line]) == 0:
        coach.expect(r"\[y/N\]")
        coach.send("y\r")
        coach.expect(first_line)


def gentle_to_the_end(coach: pexpect.spawn, steps_waiting: tuple[str, ...]) -> None:
    """Press space at each step that waits for "next", then let the session end."""
    for title in steps_waiting:
        coach.expect(title)
        coach.send(" ")
    coach.expect("Session completed")
    coach.expect(pexpect.EOF)
    coach.close()
    assert coach.exitstatus == 0


class DeletedFilesWatch:
    """Looks at a process's open files every few milliseconds and remembers any log file
    that was deleted while the process still had it open."""

    def __init__(self, pid: int) -> None:
        self.folder = Path(f"/proc/{pid}/fd")
        self.seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            for target in self._open_files():
                if "log.sqlite3" in target and target.endswith("(deleted)"):
                    self.seen.add(target)

    def _open_files(self) -> list[str]:
        found = []
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return []  # the process has ended
        for entry in entries:
            try:
                found.append(os.readlink(entry))
            except OSError:
                continue  # closed meanwhile
        return found

    @contextmanager
    def running(self) -> Iterator[DeletedFilesWatch]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(timeout=5)


def sessions_now() -> list[dict]:
    return list(json.loads(voicecoach("history", "--json")))


def events_of(session_id: int) -> list[tuple[int, str]]:
    """(seq, kind) of every event of one session, read by another process right now."""
    (session,) = [s for s in sessions_now() if s["id"] == session_id]
    return [(event["seq"], event["kind"]) for event in session["events"]]


def test_a_running_coach_loses_nothing_while_other_commands_use_the_log() -> None:
    first = coach_in_a_terminal("routine", "gentle", "--no-pain-scores")
    with DeletedFilesWatch(first.pid).running() as watch:
        first.expect("Settle into")  # waiting for "next", its session open
        (running,) = sessions_now()
        seen_while_running = [events_of(running["id"])]

        voicecoach("history")
        voicecoach("episode", "start", "--at", "2h ago")
        first.send(" ")
        first.expect("Pelvic tilt")
        seen_while_running.append(events_of(running["id"]))

        cold = coach_in_a_terminal("therapy", "cold", "--minutes", "1")
        start_anyway(cold, "Cold session")
        cold.expect("Time's up")
        cold.expect(pexpect.EOF)
        cold.close()
        assert cold.exitstatus == 0
        voicecoach("history")
        seen_while_running.append(events_of(running["id"]))

        second = coach_in_a_terminal("routine", "gentle", "--no-pain-scores")
        start_anyway(second, "Settle into")
        second.send(" ")
        first.send(" ")  # both coaches write at once from here on
        gentle_to_the_end(first, ("Log roll",))
        gentle_to_the_end(second, ("Pelvic tilt", "Log roll"))
        assert not watch.seen, f"log files deleted under the running coach: {watch.seen}"

    after = sessions_now()
    assert [(s["routine"], s["outcome"]) for s in after] == [
        ("gentle", "completed"),
        ("therapy cold", "completed"),
        ("gentle", "completed"),
    ]
    for session in after:
        seqs = [event["seq"] for event in session["events"]]
        assert seqs == list(range(1, len(seqs) + 1)), f"events missing: {session}"
    for routine in (after[0], after[2]):
        finished = [e for e in routine["events"] if e["kind"] == "step_finished"]
        assert len(finished) == len(load_catalogue().routines["gentle"].steps), routine
    final = events_of(running["id"])
    for earlier in seen_while_running:  # what others read mid-session is still there
        assert final[: len(earlier)] == earlier
    assert "The spasm began 2 hours ago" in voicecoach("episode", "status")


def log_files_open_here() -> list[str]:
    """The log's main file, as often as this process has it open."""
    folder = Path("/proc/self/fd")
    targets = []
    for entry in folder.iterdir():
        try:
            targets.append(os.readlink(entry))
        except OSError:
            continue
    return [t for t in targets if t.endswith("log.sqlite3")]


def test_everything_a_coach_process_reads_goes_through_its_one_connection() -> None:
    from voicecoach.commands.history import describe_log, load_sessions
    from voicecoach.logbook import (
        SqliteLog,
        check_store,
        current_episode,
        pain_scores,
        running_sessions,
        start_episode,
    )

    with SqliteLog() as log:
        log.session_started("gentle", {})
        log.event("step_started", step=1, title="Rest position")
        log.event("pain_score", when="start", score=4)
        start_episode(datetime.now(timezone.utc) - timedelta(hours=2))
        assert current_episode() is not None
        assert [score for _, score, _ in pain_scores(datetime(2000, 1, 1))] == [4]
        assert "1 sessions" in check_store() and "1 sessions" in describe_log(log.path)
        assert [s.routine for s in load_sessions()] == ["gentle"]
        assert [r.pid for r in running_sessions()] == [os.getpid()]
        assert len(log_files_open_here()) == 1

        voicecoach("history")  # another process opens and closes the log meanwhile
        assert Path(f"{log.path}-wal").exists(), "the WAL was deleted under the coach"
        log.event("step_finished", step=1, how="done")
        (session,) = json.loads(voicecoach("history", "--json"))
        assert [e["kind"] for e in session["events"]][-1] == "step_finished"
    assert log_files_open_here() == []


NO_AUDIO = {"PULSE_SERVER": "unix:/nonexistent"}
"""A coach that would open the microphone finds none (so it never touches the shared audio
devices) and says so, which tells the test it tried."""


def listening_coach_in_a_terminal() -> pexpect.spawn:
    return coach_in_a_terminal("routine", "rest", "--listen", "--no-pain-scores", **NO_AUDIO)


@contextmanager
def a_coach_waiting_for_next() -> Iterator[pexpect.spawn]:
    first = coach_in_a_terminal("routine", "gentle", "--no-pain-scores")
    try:
        first.expect("Settle into")
        yield first
        first.send("q")
        first.expect("Session quit")
        first.expect(pexpect.EOF)
    finally:
        first.close(force=True)


def test_a_second_routine_with_no_one_to_ask_says_so_in_one_line_and_does_not_start() -> None:
    with a_coach_waiting_for_next() as first:
        result = subprocess.run(
            [sys.executable, "-m", "voicecoach", "routine", "rest", "--captions-only"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            env=dict(os.environ, **NO_AUDIO),
        )
        assert result.returncode == 1
        assert result.stdout == ""
        (line,) = result.stderr.strip().splitlines()
        assert f"already running (gentle, process {first.pid})" in line
        assert "not starting" in line
        assert [s["routine"] for s in sessions_now()] == ["gentle"]


def test_a_second_routine_asks_and_no_leaves_only_the_first() -> None:
    with a_coach_waiting_for_next() as first:
        second = listening_coach_in_a_terminal()
        second.expect(f"already running \\(gentle, process {first.pid}\\)")
        second.expect("act on every word")
        second.expect(r"on keys only\? \[y/N\]")
        second.send("n\r")
        second.expect("not started")
        second.expect(pexpect.EOF)
        second.close()
        assert second.exitstatus == 1
        assert [s["routine"] for s in sessions_now()] == ["gentle"]


def test_a_second_routine_started_anyway_runs_on_keys_only() -> None:
    with a_coach_waiting_for_next():
        second = listening_coach_in_a_terminal()
        second.logfile_read = everything = io.StringIO()
        second.expect(r"on keys only\? \[y/N\]")
        second.send("y\r")
        second.expect("On your back")
        second.expect("Press space when you're ready")  # keys, not "Say next"
        second.send("q")
        second.expect("Session quit")
        second.expect(pexpect.EOF)
        second.close()
        said = everything.getvalue().lower()
        assert "microphone" not in said and "not listening" not in said  # never tried
        assert [s["routine"] for s in sessions_now()] == ["gentle", "rest"]


def test_with_no_other_coach_nothing_is_asked(tmp_path: Path) -> None:
    from voicecoach.commands.another_coach import listen_beside_other_coaches

    def ask(question: str) -> bool:
        raise AssertionError(f"asked {question!r} with no other coach running")

    said: list[str] = []
    for listen in (True, False):
        assert listen_beside_other_coaches(listen, True, ask, said.append) is listen
    assert said == []
