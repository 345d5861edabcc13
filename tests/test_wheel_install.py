"""`pip install .` gives a working program: the wheel built from the repository holds every
subpackage and data file, and voicecoach installed from it (not editable) runs.

The wheel is built from a copy of the repository's files (a stale `build/` folder in the
checkout cannot leak into it) and installed into a new virtualenv with `--no-deps`; the
dependencies are the ones this test runs with, reached through a plain path file, so the
only voicecoach there is the wheel's own (checked: `voicecoach.__file__` is inside the new
virtualenv). Every command runs from an empty folder, so the checkout cannot be imported.

Run on its own: .venv/bin/python -m pytest -m wheel
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.listening_support import needs_espeak
from tests.support import espeak
from voicecoach.commands.cli import app
from voicecoach.listening.frames import noise, write_wav

pytestmark = pytest.mark.wheel

REPO = Path(__file__).resolve().parent.parent
SHIPPED_SUFFIXES = (".py", ".yaml", ".wav")
"""What in voicecoach/ the wheel must carry: the code, the routines and the cue sounds."""
COMMAND_TIMEOUT = 120.0


@dataclass(frozen=True)
class Installed:
    """voicecoach installed from its wheel into a virtualenv of its own."""

    wheel: Path
    venv: Path
    python: Path
    program: Path
    workdir: Path
    """An empty folder the commands run in."""

    def run(self, *args: str, timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        return subprocess.run(
            [str(self.program), *args],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def source_files() -> list[Path]:
    """The repository's files as a clean clone has them (git's view when there is one)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            check=True,
            timeout=30,
        ).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        skipped = {".git", ".venv", "build", "bench-out", "__pycache__"}
        return [
            p.relative_to(REPO)
            for p in REPO.rglob("*")
            if p.is_file() and not skipped & set(p.relative_to(REPO).parts)
        ]
    return [Path(name) for name in listed.split("\0") if name and (REPO / name).is_file()]


def build_wheel(into: Path) -> Path:
    copy = into / "source"
    for name in source_files():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, copy / name)
    # Offline when this environment has the build backend (the dev extra brings it).
    isolation = ["--no-build-isolation"] if _has_setuptools(77) else []
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-w", str(into), "."],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wheels = list(into.glob("voicecoach-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _has_setuptools(major: int) -> bool:
    try:
        import setuptools
    except ImportError:
        return False
    return int(setuptools.__version__.split(".")[0]) >= major


def make_venv(wheel: Path, venv: Path) -> Path:
    """A new virtualenv with the wheel installed; the dependencies come from this one."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    result = subprocess.run(
        [*pip, "install", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    site_dir = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Plain paths: appended after the new venv's own packages, and their .pth files are
    # not run, so the editable voicecoach of this environment stays out of it.
    ours = [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    (Path(site_dir) / "test-dependencies.pth").write_text("\n".join(ours) + "\n")
    return python


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(root)
    venv = root / "venv"
    python = make_venv(wheel, venv)
    program = python.parent / "voicecoach"
    workdir = root / "elsewhere"
    workdir.mkdir()
    yield Installed(wheel, venv, python, program, workdir)


def test_the_wheel_holds_every_module_routine_and_cue(installed: Installed) -> None:
    expected = {
        name.as_posix()
        for name in source_files()
        if name.parts[0] == "voicecoach" and name.suffix in SHIPPED_SUFFIXES
    }
    with zipfile.ZipFile(installed.wheel) as wheel:
        shipped = set(wheel.namelist())
    assert any(name.endswith(".yaml") for name in expected)
    assert any(name.endswith(".wav") for name in expected)
    assert "voicecoach/listening/__init__.py" in expected
    assert expected - shipped == set()
    assert not any(name.startswith(("tests/", "scripts/")) for name in shipped)


def test_the_installed_program_is_the_wheels_own(installed: Installed) -> None:
    code = "import voicecoach.commands.cli, voicecoach.logbook; print(voicecoach.__file__)"
    result = subprocess.run(
        [str(installed.python), "-c", code],
        cwd=installed.workdir,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(installed.venv)


def test_help_lists_the_commands(installed: Installed) -> None:
    result = installed.run("--help")
    assert result.returncode == 0, result.stderr
    for command in ("routine", "show", "doctor", "hear", "redflags", "therapy"):
        assert command in result.stdout


def test_show_prints_the_same_script_as_the_checkout(installed: Installed) -> None:
    result = installed.run("show", "gentle")
    assert result.returncode == 0, result.stderr
    from_checkout = CliRunner().invoke(app, ["show", "gentle"])
    assert from_checkout.exit_code == 0
    assert "knee" in result.stdout.lower()
    assert result.stdout == from_checkout.stdout


def test_doctor_finds_speech_the_recogniser_and_the_log(installed: Installed) -> None:
    result = installed.run("doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    for part in ("speech", "recogniser", "log"):
        assert f"ok       {part}:" in result.stdout, result.stdout


@needs_espeak
def test_hear_finds_a_spoken_stop_in_a_wav(installed: Installed) -> None:
    wav = installed.workdir / "stop.wav"
    write_wav(wav, noise(0.4, seed=11) + espeak.render("stop") + noise(1.0, seed=12))
    quiet = installed.workdir / "quiet.wav"
    write_wav(quiet, noise(1.5, seed=13))
    result = installed.run("hear", "--json", str(wav), str(quiet))
    assert result.returncode == 0, result.stderr
    heard = {
        Path(line["file"]).name: line["command"]
        for line in map(json.loads, result.stdout.splitlines())
    }
    assert heard == {"stop.wav": "stop", "quiet.wav": None}
