"""The devices and say commands, through Typer's CliRunner."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tests.fake_pyaudio import FakePyAudio
from voicecoach.audio import devices
from voicecoach.audio.audio_system import AudioUnavailable
from voicecoach.commands.cli import app

runner = CliRunner()


def test_devices_lists_microphones_and_outputs_with_the_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(devices, "open_pyaudio", FakePyAudio)
    result = runner.invoke(app, ["devices"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "Microphones:",
        "  0: Built-in Microphone (default), 2 ch, 44100 Hz",
        "  1: USB Headset, 1 ch, 44100 Hz",
        "Outputs:",
        "  1: USB Headset, 2 ch, 44100 Hz",
        "  2: Speakers (default), 2 ch, 44100 Hz",
    ]


def test_devices_says_so_when_there_are_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        devices, "open_pyaudio", lambda: FakePyAudio([], default_input=None, default_output=None)
    )
    result = runner.invoke(app, ["devices"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "Microphones:",
        "  none found",
        "Outputs:",
        "  none found",
    ]


def test_devices_without_audio_support_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pyaudio() -> None:
        raise AudioUnavailable("PyAudio is not installed: pip install pyaudio")

    monkeypatch.setattr(devices, "open_pyaudio", no_pyaudio)
    result = runner.invoke(app, ["devices"])
    assert result.exit_code == 0
    assert result.output == "No audio devices: PyAudio is not installed: pip install pyaudio\n"


@pytest.mark.parametrize("option", [["--volume", "1.5"], ["--rate", "5"]])
def test_say_refuses_settings_out_of_range(option: list[str]) -> None:
    result = runner.invoke(app, ["say", "hello", *option])
    assert result.exit_code == 2
    assert "Invalid value" in result.output


def run_voicecoach(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voicecoach", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )


def test_say_without_a_sound_server_prints_the_line_and_no_traceback() -> None:
    result = run_voicecoach("say", "Knees bent.", PULSE_SERVER="unix:/nonexistent/socket")
    assert result.returncode == 0
    assert result.stdout == "Knees bent.\n"
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 1, result.stderr


def test_devices_without_a_sound_server_still_answers_plainly() -> None:
    result = run_voicecoach("devices", PULSE_SERVER="unix:/nonexistent/socket")
    assert result.returncode == 0
    assert result.stdout.startswith("Microphones:") or result.stdout.startswith("No audio")
    assert "Traceback" not in result.stderr and "ALSA lib" not in result.stderr
