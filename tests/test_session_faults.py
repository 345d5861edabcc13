"""The real coach (`python -m voicecoach routine`) killed, terminated or Ctrl-C'd mid-hold:
every event up to that moment is in the log, and the session is closed as interrupted."""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.logbook_support import PROCESS_TIMEOUT_S, read_line, use_temporary_log
from voicecoach.commands.cli import app

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses POSIX signals")

# Holds of 60 s at 1/20 speed: each lasts 3 s, long enough to land a signal inside it.
ARGS = "routine gentle --no-listen --captions-only --no-pain-scores --hold 60 --time-scale 0.05"
COACH = [sys.executable, "-m", "voicecoach", *shlex.split(ARGS)]


@pytest.fixture
def log_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_temporary_log(tmp_path, monkeypatch)


def start_coach_and_wait_for_the_right_side_hold(
    before: Callable[[], object] | None = None,
) -> subprocess.Popen[str]:
    """Run the coach (`before` run in its process first), pressing Enter at each "press
    space" prompt, until it is mid-hold on the right side (the left side's hold already
    finished)."""
    coach = subprocess.Popen(
        COACH, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=before,
    )  # fmt: skip
    assert coach.stdin is not None
    right_side = False
    while True:
        line = read_line(coach)
        if "Press space" in line:
            coach.stdin.write("\n")
            coach.stdin.flush()
        right_side = right_side or "right knee" in line
        if right_side and line == "(5)":  # five seconds into the right side's hold
            return coach


def logged_sessions() -> list[dict]:
    """What `voicecoach history --json` shows at the next start."""
    result = CliRunner().invoke(app, ["history", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def assert_interrupted_mid_right_hold(session: dict) -> None:
    assert session["outcome"] == "interrupted"
    kinds = [event["kind"] for event in session["events"]]
    assert kinds.count("step_started") == 3  # rest position, pelvic tilt, knee to chest
    assert kinds.count("step_finished") == 2
    (left_hold,) = [e["data"] for e in session["events"] if e["kind"] == "hold"]
    assert left_hold["side"] == "left"
    assert 2.99 <= left_hold["actual_s"] < 4.5  # its real length: 3 s, late only if starved
    assert session["ended"] >= session["events"][-1]["at"]


def test_a_coach_killed_outright_mid_hold_is_found_and_closed_as_interrupted(
    log_path: Path,
) -> None:
    coach = start_coach_and_wait_for_the_right_side_hold()
    coach.send_signal(signal.SIGKILL)
    coach.communicate(timeout=PROCESS_TIMEOUT_S)
    assert coach.returncode == -signal.SIGKILL

    (session,) = logged_sessions()
    assert_interrupted_mid_right_hold(session)
    assert session["ended"] == session["events"][-1]["at"]  # when it was last heard from


@pytest.mark.parametrize(
    ("signum", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)]
)
def test_sigterm_ctrl_c_and_a_closed_terminal_mid_hold_save_the_session_as_interrupted(
    log_path: Path, signum: int, exit_code: int
) -> None:
    coach = start_coach_and_wait_for_the_right_side_hold()
    coach.send_signal(signum)
    _, err = coach.communicate(timeout=PROCESS_TIMEOUT_S)

    assert coach.returncode == exit_code, err
    assert "Traceback" not in err
    (session,) = logged_sessions()
    assert_interrupted_mid_right_hold(session)


def ctrl_c_ignored_and_blocked() -> None:
    """As a parent may leave it: a script's background job ignores Ctrl-C, and a process
    started from a thread that blocks signals has them blocked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


def test_ctrl_c_ends_the_session_even_when_the_coach_was_started_ignoring_it(
    log_path: Path,
) -> None:
    coach = start_coach_and_wait_for_the_right_side_hold(before=ctrl_c_ignored_and_blocked)
    coach.send_signal(signal.SIGINT)
    _, err = coach.communicate(timeout=PROCESS_TIMEOUT_S)

    assert coach.returncode == 130, err
    (session,) = logged_sessions()
    assert_interrupted_mid_right_hold(session)


def test_a_damaged_log_is_said_once_and_the_session_still_runs(log_path: Path) -> None:
    log_path.parent.mkdir(parents=True)
    log_path.write_bytes(b"not a database" * 200)
    before = log_path.read_bytes()
    coach = start_coach_and_wait_for_the_right_side_hold()
    coach.send_signal(signal.SIGTERM)
    _, err = coach.communicate(timeout=PROCESS_TIMEOUT_S)

    assert coach.returncode == 143
    assert err.count("This session will not be saved") == 1 and "damaged" in err
    assert log_path.read_bytes() == before
