"""`voicecoach doctor`: is everything the coach needs here, and if not, what fixes it.

Each check is a plain function returning a CheckResult, so tests can pass their own
(or give a check a fake audio opener or renderer) and simulate any failure without
touching the machine. A check that crashes becomes a problem line, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DOCTOR_PHRASE = "Lie on your back with your knees bent."


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check, printed as one line."""

    name: str
    """What was checked: "speech", "speaker", "microphone", "recogniser", "echo canceller",
    "log"."""
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


def render_phrase(text: str = DOCTOR_PHRASE) -> float:
    """Seconds of sound the coach's own renderer makes of `text` (raises when it cannot)."""
    from voicecoach.audio.tts import Renderer

    return Renderer().render(text).seconds


def _speech_fix() -> str:
    if sys.platform.startswith("linux"):
        from voicecoach.audio.tts import ESPEAK_FIX

        return ESPEAK_FIX
    return "pip install --force-reinstall pyttsx3"


def check_speech(render: Callable[[], float] = render_phrase) -> CheckResult:
    """pyttsx3 (espeak-ng on Linux) can render a phrase."""
    try:
        seconds = render()
    except Exception as error:
        return CheckResult("speech", False, f"cannot render speech ({error})", _speech_fix(), True)
    if seconds <= 0:
        return CheckResult("speech", False, "speech renders as silence", _speech_fix(), True)
    return CheckResult("speech", True, f"rendered {seconds:.1f} s of speech", essential=True)


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
    from voicecoach.audio.audio_system import open_pyaudio

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


LISTEN_SECONDS = 3.0
"""How long doctor waits for sound from the microphone (some start ~2 s late)."""
ENOUGH_SOUND_BYTES = 16000
"""Half a second of 16 kHz int16 audio with something in it is enough to say it works."""


def record_briefly(seconds: float = LISTEN_SECONDS) -> bytes:
    """What the default microphone delivers, 16 kHz mono int16: until half a second of
    it holds sound, or `seconds` have passed."""
    import queue
    import time

    from voicecoach.audio.microphone import Microphone

    microphone = Microphone().start()
    pcm = bytearray()
    try:
        until = time.monotonic() + seconds
        while (left := until - time.monotonic()) > 0:
            try:
                pcm += microphone.frames.get(timeout=left).pcm
            except queue.Empty:
                break
            if len(pcm) >= ENOUGH_SOUND_BYTES and any(pcm):
                break
    finally:
        microphone.stop()
    return bytes(pcm)


def check_microphone_sound(record: Callable[[], bytes] = record_briefly) -> CheckResult:
    """The microphone delivers sound, not nothing and not exact digital silence."""
    fix = "unmute the microphone and raise its level (pavucontrol, or the system sound settings)"
    try:
        pcm = record()
    except Exception as error:
        return CheckResult("microphone sound", False, f"cannot listen ({error})", fix)
    if not pcm:
        return CheckResult("microphone sound", False, f"no audio came in {LISTEN_SECONDS:g} s", fix)
    if not any(pcm):  # a real microphone always hears some noise
        detail = "only exact digital silence came in (muted, or a virtual device?)"
        return CheckResult("microphone sound", False, detail, fix)
    detail = (
        f"{len(pcm) / 32000:.1f} s of sound came in; background {background_dbfs(pcm):.0f} dBFS"
    )
    return CheckResult("microphone sound", True, detail)


def background_dbfs(pcm: bytes) -> float:
    """The microphone's background level: the quietest fifth of its 30 ms frames (as the
    listener measures it; a soft voice must stand out of it)."""
    from voicecoach.listening.frames import FRAME_BYTES
    from voicecoach.listening.vad import background_level, level_dbfs

    frames = [pcm[i : i + FRAME_BYTES] for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES)]
    return background_level([level_dbfs(frame) for frame in frames] or [level_dbfs(pcm)])


# --- recogniser ----------------------------------------------------------------------------


def check_engine(name: str, model: str | None = None, label: str = "recogniser") -> CheckResult:
    """The engine's own self-check (each engine knows what it needs)."""
    from voicecoach.listening.engine import EngineUnavailable, engine_class

    try:
        verdict = engine_class(name).check(model)
    except EngineUnavailable as error:
        return CheckResult(label, False, str(error))
    return CheckResult(label, verdict.ok, verdict.detail, verdict.fix)


def check_recogniser() -> CheckResult:
    """The default engine can run."""
    from voicecoach.listening.engine import DEFAULT_ENGINE

    return check_engine(DEFAULT_ENGINE)


def check_second_recogniser() -> CheckResult:
    """The engine that decides beside the default one (Whisper) and its model (without
    it the coach listens with the default engine alone)."""
    from voicecoach.listening.second_opinion import SECOND_ENGINE

    result = check_engine(SECOND_ENGINE, label="second recogniser")
    if result.ok:
        return result
    return CheckResult(
        result.name, False, f"{result.detail} (listening with the first alone)", result.fix
    )


def check_enrolled_voice(folder: Path | None = None) -> CheckResult:
    """The user's takes (voicecoach enrol): how many per word, whether the matcher can use
    them, and how well they are told apart (each take against the others)."""
    from voicecoach.listening.enrolled import (
        INSTALL_HINT,
        MatcherUnavailable,
        read_takes,
        told_apart,
        voice_folder,
    )

    takes = read_takes(folder or voice_folder())
    if not takes:
        return CheckResult("enrolled voice", True, "none (voicecoach enrol learns your voice)")
    counts = ", ".join(f"{word} {len(pcms)}" for word, pcms in takes.items())
    try:
        right, total, unclear = told_apart(takes)
    except MatcherUnavailable:
        detail = f"takes {counts}, but the matcher is not installed: they are not used"
        return CheckResult("enrolled voice", False, detail, INSTALL_HINT)
    detail = f"takes {counts}; matcher ready; {right} of {total} told apart (each against the rest)"
    if not unclear:
        return CheckResult("enrolled voice", True, detail)
    again = " ".join(f"--word {word}" for word in unclear)
    return CheckResult("enrolled voice", False, detail, f"say them again: voicecoach enrol {again}")


# --- echo canceller ------------------------------------------------------------------------


def _make_canceller() -> object:
    from voicecoach.audio.echo import EchoCanceller

    return EchoCanceller()


def check_echo_canceller(make: Callable[[], object] = _make_canceller) -> CheckResult:
    """WebRTC's echo canceller starts (without it, the coach may not hear a word said
    while it talks)."""
    try:
        make()
    except Exception as error:
        fix = "pip install --force-reinstall livekit"
        return CheckResult("echo canceller", False, f"cannot start it ({error})", fix)
    return CheckResult("echo canceller", True, "WebRTC AEC3 (livekit)")


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
    return [
        check_speech,
        check_speaker,
        check_microphone,
        check_microphone_sound,
        check_recogniser,
        check_second_recogniser,
        check_enrolled_voice,
        check_echo_canceller,
        check_log,
    ]


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
