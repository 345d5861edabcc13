"""Shared helpers for the session-log tests: a log in a temporary folder, writer processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROCESS_TIMEOUT_S = 60


def use_temporary_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every part of the program at a log under tmp_path; returns its (future) path."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(data_dir))
    return data_dir / "log.sqlite3"


def spawn_python(code: str, *args: str) -> subprocess.Popen[str]:
    """Run a snippet of Python in a child process with pipes to talk to it."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def read_line(process: subprocess.Popen[str], timeout: float = PROCESS_TIMEOUT_S) -> str:
    """The child's next stdout line, failing the test (not hanging it) if none comes."""
    import selectors

    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            process.kill()
            raise AssertionError(f"child said nothing within {timeout} s")
    line = process.stdout.readline()
    if not line:
        _, err = process.communicate(timeout=PROCESS_TIMEOUT_S)
        raise AssertionError(f"child exited early: {err}")
    return line.strip()
