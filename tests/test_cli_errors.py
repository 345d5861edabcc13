"""A mistyped option or a damaged file gets one clear line and an exit code, never a
traceback and never a silent fallback (issue 11, point 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.logbook_support import use_temporary_log
from voicecoach.commands.cli import app

runner = CliRunner()


def _one_clear_error(result, option: str) -> None:
    assert result.exit_code == 2, result.output
    assert option in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("rate", ["0", "100000"])
def test_a_speech_rate_out_of_range_is_refused_before_the_session(rate):
    result = runner.invoke(app, ["routine", "gentle", "--rate", rate, "--no-listen"])
    _one_clear_error(result, "--rate")
    assert "Before you start" not in result.output


def _skip_unless_available(probe, what: str) -> None:
    from voicecoach.audio.audio_system import AudioUnavailable

    try:
        probe()
    except AudioUnavailable as error:
        pytest.skip(f"no {what} here: {error}")


def test_a_voice_that_is_not_installed_is_refused_naming_the_option():
    from voicecoach.audio.tts import voice_ids

    _skip_unless_available(voice_ids, "speech engine")
    result = runner.invoke(app, ["routine", "gentle", "--voice", "no-such-voice-zz"])
    _one_clear_error(result, "--voice")
    assert "no voice matches" in result.output


def test_a_microphone_that_does_not_exist_is_refused_naming_the_option():
    from voicecoach.audio.audio_system import open_pyaudio

    _skip_unless_available(lambda: open_pyaudio().terminate(), "audio system")
    result = runner.invoke(app, ["routine", "gentle", "--mic", "no-such-microphone-zz"])
    _one_clear_error(result, "--mic")
    assert "no microphone matches" in result.output


def test_version_and_short_help():
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0
    assert version.output.startswith("voicecoach ")
    short = runner.invoke(app, ["-h"])
    assert short.exit_code == 0 and "routine" in short.output
    sub = runner.invoke(app, ["routine", "-h"])
    assert sub.exit_code == 0 and "--hold" in sub.output


def test_routine_names_ignore_case_and_a_typo_gets_the_nearest_name(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(tmp_path))
    shown = runner.invoke(app, ["show", "Gentle"])
    assert shown.exit_code == 0 and "Gentle relief" in shown.output
    typo = runner.invoke(app, ["show", "gentel"])
    assert typo.exit_code == 2
    assert "did you mean 'gentle'?" in typo.output


def test_therapy_names_ignore_case(tmp_path, monkeypatch):
    use_temporary_log(tmp_path, monkeypatch)
    result = runner.invoke(
        app,
        ["therapy", "COLD", "--minutes", "0.05", "--no-listen", "--captions-only"],
        input="q",
    )
    assert "Unknown therapy" not in result.output
    assert "cold" in result.output.lower()


def test_one_step_routine_is_listed_as_one_step(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_CONFIG_DIR", str(tmp_path))
    folder = tmp_path / "routines"
    folder.mkdir()
    (folder / "single.yaml").write_text(
        "title: Single\nabout: One step.\nsteps:\n  - kind: say\n    title: Hi\n    say: [Hello.]\n"
    )
    result = runner.invoke(app, ["routines"])
    assert result.exit_code == 0
    single = next(line for line in result.output.splitlines() if line.startswith("single"))
    assert " 1 step," in single


@pytest.mark.parametrize("command", [["episode", "status"], ["episode", "start"]])
def test_a_damaged_log_is_one_line_for_episode_commands(tmp_path, monkeypatch, command):
    path: Path = use_temporary_log(tmp_path, monkeypatch)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    result = runner.invoke(app, command)
    assert result.exit_code == 1, result.output
    assert "damaged" in result.output
    assert "Traceback" not in result.output
    assert path.read_bytes() == b"this is not a database" * 100  # left untouched


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--engine", "nosuch"], "--engine"),
        (["--engine", "vosk"], "--engine"),
        (["--engine", "vosk", "--model", "/no/such/model"], "--model"),
    ],
)
def test_an_engine_that_cannot_run_as_asked_is_refused_before_the_session(args, option):
    result = runner.invoke(app, ["routine", "gentle", *args])
    _one_clear_error(result, option)
    assert "Before you start" not in result.output


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["routine", "gentle", "--bogus"], "--bogus"),
        (["routine", "gentle", "--count", "abc"], "--count"),
        (["routine", "gentle", "--rate", "0"], "--rate"),
        (["nosuch"], "nosuch"),
    ],
)
def test_a_command_line_mistake_is_one_line_that_says_where_help_is(args, names):
    """As the installed `voicecoach` command prints it (not Click's three-line usage block)."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "voicecoach", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("voicecoach") and names in lines[0]
    assert lines[0].endswith("-h)")
