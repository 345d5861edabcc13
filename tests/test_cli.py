"""Every command through Typer's CliRunner, and the main job in a real pseudo-terminal."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pexpect
from typer.testing import CliRunner

from voicecoach.commands.cli import app

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]


def test_every_command_has_help_with_an_example():
    for command in app.registered_commands:
        doc = command.callback.__doc__ or ""
        assert "Example: voicecoach" in doc, f"{command.callback.__name__} has no example"
        result = runner.invoke(app, [command.name or command.callback.__name__, "--help"])
        assert result.exit_code == 0


def test_routines_lists_the_built_ins_with_their_length(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(tmp_path))
    result = runner.invoke(app, ["routines"])
    assert result.exit_code == 0
    for name in ("gentle", "getting-up", "rest"):
        assert name in result.output
    assert "gentle" in result.output and "1:30" in result.output  # two 30 s holds + 30 s rest


def test_a_users_own_routine_is_listed_and_a_broken_one_named_without_stopping_others(
    tmp_path, monkeypatch
):
    folder = tmp_path / "routines"
    folder.mkdir()
    (folder / "mine.yaml").write_text(
        "title: Mine\nsteps:\n  - kind: rest\n    title: Lie still\n    seconds: 40\n"
    )
    (folder / "broken.yaml").write_text(
        "title: Broken\nsteps:\n  - kind: hold\n    title: X\n    hold_line: Pull.\n"
        "    hold_seconds: 90\n"
    )
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(tmp_path))
    result = runner.invoke(app, ["routines"])
    assert result.exit_code == 0
    assert "mine" in result.output and "gentle" in result.output
    assert "broken.yaml, line 6: steps[1].hold_seconds: must be 30-60 (got 90)" in result.output


def test_show_prints_every_line_and_every_hold():
    result = runner.invoke(app, ["show", "gentle", "--hold", "45", "--count", "10"])
    assert result.exit_code == 0
    out = result.output
    assert "Slowly pull your left knee toward your chest." in out
    assert "hold 45 s (left), counting: 10, 20, 30, 5, 4, 3, 2, 1" in out
    assert "hold 45 s (right)" in out
    assert "never push into sharp pain" in out
    assert "wait for next" in out


def test_unknown_routine_is_one_clear_line_not_a_traceback():
    result = runner.invoke(app, ["show", "nope"])
    assert result.exit_code == 2
    assert "no routine called 'nope'" in result.output
    assert "Traceback" not in result.output


def test_hold_outside_the_seeds_range_is_refused():
    result = runner.invoke(app, ["routine", "gentle", "--hold", "90"])
    assert result.exit_code == 2
    assert "--hold" in result.output and "60" in result.output


def test_routine_runs_to_the_end_on_keys_from_a_pipe(tmp_path):
    env = dict(os.environ, VOICECOACH_CONFIG_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    command = [
        sys.executable,
        "-m",
        "voicecoach",
        "routine",
        "gentle",
        "--no-listen",
        "--captions-only",
        "--time-scale",
        "0.02",
        "--no-pain-scores",
    ]
    with subprocess.Popen(
        command, cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdin is not None and child.stdout is not None
        watchdog = threading.Timer(60, child.kill)  # a hung coach fails the test, not CI
        watchdog.start()
        lines = []
        deadline = time.monotonic() + 30
        for line in child.stdout:
            lines.append(line)
            if "Press space when you're ready" in line:
                child.stdin.write(" ")
                child.stdin.flush()
            assert time.monotonic() < deadline, "".join(lines)
        code = child.wait(timeout=10)
        watchdog.cancel()
    output = "".join(lines)
    assert code == 0, output
    assert "== Knee to chest ==" in output
    assert "Session completed." in output


def spawn_coach_in_a_terminal(config_dir: Path, pain_scores: bool = False) -> pexpect.spawn:
    """`voicecoach routine gentle` in a pseudo-terminal, keys only, twenty times faster."""
    env = dict(os.environ, VOICECOACH_CONFIG_DIR=str(config_dir), PYTHONUNBUFFERED="1")
    arguments = ["routine", "gentle", "--no-listen", "--captions-only", "--time-scale", "0.05"]
    scores = "--pain-scores" if pain_scores else "--no-pain-scores"
    return pexpect.spawn(
        sys.executable,
        ["-m", "voicecoach", *arguments, scores],
        cwd=str(REPO),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )


def test_routine_gentle_in_a_terminal_driven_by_keys_to_the_end(tmp_path):
    child = spawn_coach_in_a_terminal(tmp_path)
    try:
        for title in ("Settle into", "Pelvic tilt", "Log roll"):
            child.expect(title)
            child.send(" ")
        child.expect("Session completed")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_quit_key_ends_the_session_in_a_terminal(tmp_path):
    child = spawn_coach_in_a_terminal(tmp_path)
    try:
        child.expect("Settle into")
        child.send("q")
        child.expect("Session quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_quit_key_during_the_pain_score_question_ends_the_session_at_once(tmp_path):
    child = spawn_coach_in_a_terminal(tmp_path, pain_scores=True)
    try:
        child.expect("how bad is the pain")
        child.send("q")
        child.expect("Session quit", timeout=5)  # not "I need a number", not the routine
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_quit_key_during_the_first_run_notice_ends_the_session(tmp_path):
    data = tmp_path / "data"  # a data folder of its own: the notice has never been given
    env = dict(
        os.environ,
        VOICECOACH_CONFIG_DIR=str(tmp_path),
        VOICECOACH_DATA_DIR=str(data),
        PYTHONUNBUFFERED="1",
    )
    arguments = ["routine", "gentle", "--no-listen", "--captions-only", "--no-pain-scores"]
    child = pexpect.spawn(
        sys.executable,
        ["-m", "voicecoach", *arguments],
        cwd=str(REPO),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )
    try:
        child.expect("not a diagnosis")
        child.send("q")
        child.expect("Session quit", timeout=20)  # after the sentence being said, at most
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
