"""`voicecoach doctor`: one line per check, the fix for each problem, the right exit code."""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.logbook_support import use_temporary_log
from tests.support import room
from voicecoach.audio.audio_system import AudioUnavailable
from voicecoach.commands import doctor
from voicecoach.commands.cli import app
from voicecoach.commands.doctor import (
    CheckResult,
    check_echo_canceller,
    check_log,
    check_microphone,
    check_recogniser,
    check_speaker,
    check_speech,
)
from voicecoach.listening.sphinx import check_bundled_model

runner = CliRunner()


@pytest.fixture
def log_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_temporary_log(tmp_path, monkeypatch)


def passing(name: str, essential: bool = False) -> doctor.Check:
    return lambda: CheckResult(name, True, "fine", essential=essential)


def failing(name: str, essential: bool) -> doctor.Check:
    return lambda: CheckResult(name, False, "missing", f"install {name}", essential)


def run_cli_with(monkeypatch: pytest.MonkeyPatch, checks: list[doctor.Check]) -> Any:
    monkeypatch.setattr(doctor, "default_checks", lambda: checks)
    return runner.invoke(app, ["doctor"])


def test_a_missing_essential_part_fails_with_its_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_cli_with(
        monkeypatch, [failing("speech", essential=True), passing("speaker"), passing("log")]
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "PROBLEM  speech: missing -> fix: install speech"
    assert lines[1:3] == ["ok       speaker: fine", "ok       log: fine"]
    assert "cannot run" in lines[-1]


def test_a_missing_microphone_is_reported_but_the_coach_can_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = run_cli_with(monkeypatch, [passing("speech", True), failing("microphone", False)])
    assert result.exit_code == 0
    assert "PROBLEM  microphone: missing -> fix: install microphone" in result.output
    assert "can run" in result.output


def test_a_check_that_crashes_is_a_problem_line_and_the_rest_still_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def check_speaker() -> CheckResult:
        raise OSError("device vanished")

    result = run_cli_with(monkeypatch, [check_speaker, passing("log", True)])
    assert result.exit_code == 0
    assert "PROBLEM  speaker: the check itself failed: device vanished" in result.output
    assert "ok       log: fine" in result.output
    assert "Traceback" not in result.output


def test_speech_that_cannot_render_is_essential_and_says_how_to_fix() -> None:
    def broken_render() -> float:
        raise RuntimeError("libespeak-ng.so.1: cannot open shared object file")

    result = check_speech(render=broken_render)
    assert not result.ok and result.essential
    assert "libespeak-ng" in result.detail
    if sys.platform.startswith("linux"):
        assert "apt install espeak-ng" in result.fix


class FakePyAudio:
    """Stands in for PyAudio with a chosen set of devices."""

    def __init__(self, devices: list[dict[str, Any]]) -> None:
        self.devices = devices
        self.terminated = False

    def get_device_count(self) -> int:
        return len(self.devices)

    def get_device_info_by_index(self, index: int) -> dict[str, Any]:
        return self.devices[index]

    def terminate(self) -> None:
        self.terminated = True


def test_a_machine_with_only_a_microphone_has_no_speaker() -> None:
    audio = FakePyAudio([{"name": "USB mic", "maxInputChannels": 1, "maxOutputChannels": 0}])
    speaker, microphone = check_speaker(lambda: audio), check_microphone(lambda: audio)
    assert not speaker.ok and "captions" in speaker.detail and speaker.fix
    assert microphone.ok and "USB mic" in microphone.detail
    assert audio.terminated


def test_no_audio_library_is_a_problem_for_both_devices() -> None:
    def unavailable() -> Any:
        raise AudioUnavailable("PyAudio is not installed")

    for check in (check_speaker, check_microphone):
        result = check(unavailable)
        assert not result.ok and not result.essential
        assert "PyAudio is not installed" in result.detail
    assert "--no-listen" in check_microphone(unavailable).fix


def test_a_recogniser_model_that_is_missing_is_reported(tmp_path: Path) -> None:
    result = check_bundled_model(model_path=lambda: str(tmp_path))
    assert not result.ok
    assert "cmudict-en-us.dict" in result.detail and "pocketsphinx" in result.fix


def test_the_bundled_recogniser_model_is_found() -> None:
    result = check_recogniser()
    assert result.ok, result.line()


def test_the_echo_canceller_starts_and_a_broken_one_is_reported_with_its_fix() -> None:
    assert check_echo_canceller().ok

    def broken() -> object:
        raise OSError("liblivekit_ffi.so: cannot open shared object file")

    result = check_echo_canceller(broken)
    assert not result.ok and not result.essential
    assert "liblivekit_ffi.so" in result.detail and "livekit" in result.fix


def test_a_damaged_log_is_an_essential_problem_and_stays_untouched(
    log_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_path.parent.mkdir(parents=True)
    log_path.write_bytes(b"not sqlite" * 300)
    before = log_path.read_bytes()

    result = run_cli_with(monkeypatch, [passing("speech", True), check_log])
    assert result.exit_code == 1
    assert "PROBLEM  log:" in result.output and "damaged" in result.output
    assert log_path.read_bytes() == before


def test_no_log_yet_is_fine_and_doctor_creates_nothing(log_path: Path) -> None:
    result = check_log()
    assert result.ok and "will be created" in result.detail
    assert not log_path.parent.exists()


@pytest.mark.skipif(
    sys.platform.startswith("linux") and not ctypes.util.find_library("espeak-ng"),
    reason="espeak-ng is not installed",
)
def test_real_speech_renders_a_phrase() -> None:
    result = check_speech()
    assert result.ok, result.line()


def _pulseaudio_running() -> bool:
    if not shutil.which("pactl"):
        return False
    try:
        return subprocess.run(["pactl", "info"], capture_output=True, timeout=10).returncode == 0
    except subprocess.TimeoutExpired:
        return False


@pytest.mark.audio
@pytest.mark.skipif(not _pulseaudio_running(), reason="PulseAudio is not running")
def test_real_devices_are_found_through_pulseaudio() -> None:
    assert check_speaker().ok
    assert check_microphone().ok


def test_a_relative_data_folder_is_checked_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voicecoach.logbook import SqliteLog

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VOICECOACH_DATA_DIR", "relative-data")
    SqliteLog().close()
    result = check_log()
    assert result.ok, result.line()
    assert "relative-data" in result.detail and "0 sessions" in result.detail


def test_an_empty_log_file_is_fine(log_path: Path) -> None:
    log_path.parent.mkdir(parents=True)
    log_path.touch()
    result = check_log()
    assert result.ok and "empty" in result.detail, result.line()


def test_speech_that_renders_as_silence_is_a_problem() -> None:
    result = check_speech(render=lambda: 0.0)
    assert not result.ok and result.essential and "silence" in result.detail


@pytest.mark.parametrize(
    ("recorded", "ok", "said"),
    [
        (b"", False, "no audio came"),
        (bytes(32000), False, "digital silence"),
        (b"\x01\x00\xff\xff" * 8000, True, "1.0 s of sound"),
    ],
)
def test_doctor_checks_the_microphone_really_delivers_sound(
    recorded: bytes, ok: bool, said: str
) -> None:
    result = doctor.check_microphone_sound(lambda: recorded)
    assert result.ok is ok
    assert said in result.detail
    assert ok or "unmute" in result.fix


def test_doctor_says_how_loud_the_microphones_background_is() -> None:
    """A fan at -50 dBFS is reported as such: a soft voice must stand out of it."""
    fan = room.to_pcm(room.fan(1.0, seed=3))
    detail = doctor.check_microphone_sound(lambda: fan).detail
    level = float(detail.split("background ")[1].split(" dBFS")[0])
    assert abs(level - room.FAN_DBFS) <= 3


def test_a_microphone_that_cannot_open_is_a_problem_not_a_crash() -> None:
    def broken() -> bytes:
        raise OSError("device busy")

    result = doctor.check_microphone_sound(broken)
    assert not result.ok and "device busy" in result.detail


@pytest.mark.audio
def test_doctor_hears_a_real_microphone_with_its_noise_floor_and_not_a_silent_one(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    from tests import pulse
    from tests.voice_rig import coach_env, room_for_tests

    def doctor_line(env: dict[str, str]) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "voicecoach", "doctor"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return next(line for line in result.stdout.splitlines() if "microphone sound" in line)

    with room_for_tests(tmp_path) as room:
        env = coach_env(room, tmp_path)
        assert doctor_line(env).startswith("ok")
        with pulse.null_sink("doctor_silent") as silent:  # nothing plays into it
            env["PULSE_SOURCE"] = silent.monitor
            assert doctor_line(env).startswith("PROBLEM")
