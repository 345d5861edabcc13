"""`voicecoach doctor`: is everything the coach needs here, and if not, what fixes it.

Each check is a plain function returning a CheckResult, so tests can pass their own
(or give a check a fake audio opener or renderer) and simulate any failure without
touching the machine. A check that crashes becomes a problem line, never a traceback.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RENDER_TIMEOUT_S = 30.0
"""How long rendering one phrase may take before the speech check gives up."""
DOCTOR_PHRASE = "Lie on your back with your knees bent."


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check, printed as one line."""

    name: str
    """What was checked: "speech", "speaker", "microphone", "recogniser", "log"."""
    ok: bool
    """True when this part works."""
    detail: str
    """What was found (when ok) or what is wrong."""
    fix: str = ""
    """The command or step that fixes it (only for problems)."""
    essential: bool = False
    """A problem here means the coach cannot run at all (doctor exits non-zero)."""

    def line(self) -> str:
        if self.ok:
            return f"ok       {self.name}: {self.detail}"
        fix = f" -> fix: {self.fix}" if self.fix else ""
        return f"PROBLEM  {self.name}: {self.detail}{fix}"


Check = Callable[[], CheckResult]


# --- speech -----------------------------------------------------------------------------

# Rendered in a child process: pyttsx3 prints to stdout, writes the file on its own
# thread after runAndWait() returns, and can hang; a child is easy to time out.
_RENDER_SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    import pyttsx3
    out = sys.argv[2]
    engine = pyttsx3.init()
    engine.save_to_file(sys.argv[1], out)
    engine.runAndWait()
    deadline, last = time.monotonic() + 10, -1
    while time.monotonic() < deadline:
        size = os.path.getsize(out) if os.path.exists(out) else -1
        if size > 1000 and size == last:
            print("RENDERED", size)
            break
        last = size
        time.sleep(0.2)
    else:
        sys.exit("pyttsx3 wrote no audio")
    """
)


def render_phrase(text: str = DOCTOR_PHRASE) -> int:
    """Render `text` with pyttsx3 to a file; its size in bytes, or RuntimeError."""
    with tempfile.TemporaryDirectory(prefix="voicecoach-doctor-") as folder:
        out = Path(folder) / "phrase.wav"
        try:
            done = subprocess.run(
                [sys.executable, "-c", _RENDER_SCRIPT, text, str(out)],
                capture_output=True,
                text=True,
                timeout=RENDER_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"rendering took over {RENDER_TIMEOUT_S:g} s") from error
    for line in done.stdout.splitlines():
        if line.startswith("RENDERED "):
            return int(line.split()[1])
    lines = (done.stderr or done.stdout).strip().splitlines()
    raise RuntimeError(lines[-1] if lines else f"the renderer exited with {done.returncode}")


def _speech_fix() -> str:
    if sys.platform.startswith("linux"):
        return "sudo apt install espeak-ng  (Fedora: sudo dnf install espeak-ng)"
    return "pip install --force-reinstall pyttsx3"


def check_speech(render: Callable[[], int] = render_phrase) -> CheckResult:
    """pyttsx3 (espeak-ng on Linux) can render a phrase."""
    try:
        size = render()
    except Exception as error:
        return CheckResult("speech", False, f"cannot render speech ({error})", _speech_fix(), True)
    return CheckResult("speech", True, f"pyttsx3 rendered a phrase ({size} bytes)", essential=True)


# --- audio devices ----------------------------------------------------------------------


def _count_devices(open_audio: Callable[[], Any], channels_key: str) -> tuple[int, str]:
    """How many devices have channels of this kind, and the default one's name."""
    audio = open_audio()
    try:
        infos = [audio.get_device_info_by_index(i) for i in range(audio.get_device_count())]
    finally:
        audio.terminate()
    usable = [info for info in infos if int(info.get(channels_key, 0)) > 0]
    return len(usable), str(usable[0].get("name", "?")) if usable else ""


def _open_pyaudio() -> Any:
    from voicecoach.audio_system import open_pyaudio

    return open_pyaudio()


def _check_devices(
    name: str, channels_key: str, open_audio: Callable[[], Any], missing: str, fix: str
) -> CheckResult:
    try:
        count, first = _count_devices(open_audio, channels_key)
    except Exception as error:
        return CheckResult(name, False, f"{missing} ({error})", fix)
    if not count:
        return CheckResult(name, False, missing, fix)
    return CheckResult(name, True, f"{count} device(s), first: {first}")


def check_speaker(open_audio: Callable[[], Any] = _open_pyaudio) -> CheckResult:
    """An audio output device exists (without one the coach shows captions)."""
    fix = (
        "connect speakers or headphones, or start the sound server: pulseaudio --start"
        if sys.platform.startswith("linux")
        else "connect speakers or headphones and check the sound settings"
    )
    missing = "no audio output device (the coach will show captions)"
    return _check_devices("speaker", "maxOutputChannels", open_audio, missing, fix)


def check_microphone(open_audio: Callable[[], Any] = _open_pyaudio) -> CheckResult:
    """A microphone exists (without one the coach runs on keys)."""
    fix = "plug in a microphone, or use keys: voicecoach routine gentle --no-listen"
    missing = "no microphone found (the coach will run on keys)"
    return _check_devices("microphone", "maxInputChannels", open_audio, missing, fix)


# --- recogniser ----------------------------------------------------------------------------

_MODEL_FILES = ("en-us/en-us", "en-us/cmudict-en-us.dict", "en-us/en-us.lm.bin")


def check_recogniser(model_path: Callable[[], str] | None = None) -> CheckResult:
    """PocketSphinx and its bundled English model are installed."""
    fix = "pip install --force-reinstall pocketsphinx SpeechRecognition"
    try:
        import speech_recognition  # noqa: F401  (the listening front end needs it too)

        if model_path is None:
            from pocketsphinx import get_model_path

            model_path = get_model_path
        folder = Path(model_path())
    except Exception as error:
        return CheckResult("recogniser", False, f"cannot load the recogniser ({error})", fix)
    missing = [name for name in _MODEL_FILES if not (folder / name).exists()]
    if missing:
        return CheckResult("recogniser", False, f"model files missing in {folder}: {missing}", fix)
    return CheckResult("recogniser", True, f"PocketSphinx English model at {folder / 'en-us'}")


# --- log ----------------------------------------------------------------------------------


def check_log(path: Path | None = None) -> CheckResult:
    """The session log can be opened (not damaged, not from a newer voicecoach)."""
    from voicecoach.logbook import LogFileError, check_store

    try:
        return CheckResult("log", True, check_store(path), essential=True)
    except LogFileError as error:
        return CheckResult("log", False, str(error), essential=True)


# --- running ------------------------------------------------------------------------------


def default_checks() -> list[Check]:
    """Every check, in the order they are printed."""
    return [check_speech, check_speaker, check_microphone, check_recogniser, check_log]


def run_checks(checks: Sequence[Check]) -> list[CheckResult]:
    """Run each check; one that crashes is reported as a problem, and the rest still run."""
    results = []
    for check in checks:
        try:
            results.append(check())
        except Exception as error:
            name = getattr(check, "__name__", "check").removeprefix("check_")
            results.append(CheckResult(name, False, f"the check itself failed: {error}"))
    return results


def exit_code(results: Sequence[CheckResult]) -> int:
    """1 when something essential (speech, log) is missing, else 0."""
    return 1 if any(r.essential and not r.ok for r in results) else 0


def run_doctor(checks: Sequence[Check] | None = None, echo: Callable[[str], None] = print) -> int:
    """Print one line per check and a summary; returns the exit code."""
    results = []
    for check in checks if checks is not None else default_checks():
        (result,) = run_checks([check])
        echo(result.line())  # as each finishes: rendering speech takes a moment
        results.append(result)
    problems = sum(not r.ok for r in results)
    if not problems:
        echo("Everything the coach needs is here.")
    elif exit_code(results):
        echo("The coach cannot run until the essential problems above are fixed.")
    else:
        echo("The coach can run; it will fall back as described above.")
    return exit_code(results)
