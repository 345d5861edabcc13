"""Ctrl-C and SIGTERM mid-session: the session is saved as interrupted, exit 130 / 143."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest
from logbook_support import PROCESS_TIMEOUT_S, read_line, spawn_python, use_temporary_log

from voicecoach.history import load_sessions

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses POSIX signals")

# A coach-shaped child: it waits the way the engine does (a queue with a timeout).
COACH = """
import queue, sys
from voicecoach.interrupts import SessionInterrupted, signals_interrupt
from voicecoach.logbook import SqliteLog
try:
    with SqliteLog() as log, signals_interrupt():
        log.session_started("gentle", {})
        log.event("hold", step=1, side="left", planned_s=30, actual_s=None)
        print("holding", flush=True)
        try:
            queue.Queue().get(timeout=30)
        except Exception:              # the engine's own error handling must not swallow it
            print("swallowed", flush=True)
        log.session_ended("completed")
except SessionInterrupted as stop:
    sys.exit(stop.exit_code)
"""


@pytest.fixture
def log_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_temporary_log(tmp_path, monkeypatch)


@pytest.mark.parametrize(
    ("signum", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)]
)
def test_a_signal_mid_hold_saves_the_session_as_interrupted(
    log_path: Path, signum: int, exit_code: int
) -> None:
    coach = spawn_python(COACH)
    assert read_line(coach) == "holding"
    coach.send_signal(signum)
    out, err = coach.communicate(timeout=PROCESS_TIMEOUT_S)

    assert coach.returncode == exit_code, err
    assert "swallowed" not in out and "Traceback" not in err
    (session,) = load_sessions()
    assert session.outcome == "interrupted"
    assert [e.kind for e in session.events] == ["hold"]


def test_handlers_are_put_back_after_the_block() -> None:
    from voicecoach.interrupts import signals_interrupt

    before = signal.getsignal(signal.SIGTERM)
    with signals_interrupt():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before
