"""Running a routine for real: wires the engine to speech, keys, voice and the log.

Whatever is missing (speaker, microphone) is said once, plainly, and the session goes
on without it. Ctrl-C and SIGTERM end the session as interrupted, saved, with the
terminal restored.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

from voicecoach.captions import CaptionSpeaker, open_display
from voicecoach.engine import Engine, Ports
from voicecoach.inbox import Inbox
from voicecoach.keys import KeyReader
from voicecoach.plan import build_plan
from voicecoach.ports import NullLog, Outcome
from voicecoach.routines import Routine, load_catalogue
from voicecoach.settings import SessionSettings

EXIT_CODES = {
    Outcome.COMPLETED: 0,
    Outcome.QUIT: 0,
    Outcome.STOPPED_FOR_PAIN: 0,
    Outcome.URGENT: 3,
    Outcome.INTERRUPTED: 130,
}


@dataclass(frozen=True)
class AudioOptions:
    voice: str | None = None
    """A voice id or part of its name (see `voicecoach say --list-voices`)."""
    rate: int | None = None
    """Speech rate in words per minute; None keeps the voice's own."""
    volume: float = 1.0
    """0.0 to 1.0."""
    listen: bool = True
    """Listen for spoken commands; False runs on keys only."""
    mic: str | None = None
    """Microphone: index or part of its name; None for the default."""
    engine: str = "sphinx"
    """Recogniser engine."""
    speak: bool = True
    """Speak out loud; False shows captions only."""


class UnknownRoutine(LookupError):
    pass


def find_routine(name: str) -> Routine:
    catalogue = load_catalogue()
    for error in catalogue.errors:
        print(f"warning: {error}", file=sys.stderr)
    if name not in catalogue.routines:
        known = ", ".join(sorted(catalogue.routines))
        raise UnknownRoutine(f"no routine called '{name}' (there are: {known})")
    return catalogue.routines[name]


class _Terminated(SystemExit):
    """SIGTERM, raised in the main thread so the session ends through the usual path."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Terminated(143)


@contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class MonotonicClock:
    def now(self) -> float:
        return time.monotonic()


def say_once(message: str) -> None:
    """A plain one-line notice (what is missing and how to fix it)."""
    print(message, file=sys.stderr, flush=True)


def open_speaker(options: AudioOptions, display: Any, settings: SessionSettings) -> Any:
    """Real speech when it can be had; captions otherwise (said once)."""
    if not options.speak:
        return CaptionSpeaker(display, settings.time_scale)
    from voicecoach.audio_system import AudioUnavailable
    from voicecoach.speaker import SpeakerSettings
    from voicecoach.speaker import open_speaker as open_audio_speaker
    from voicecoach.tts import VoiceSettings

    try:
        voice = VoiceSettings(
            voice=options.voice or "",
            rate=options.rate or VoiceSettings.rate,
            volume=options.volume,
        )
        return open_audio_speaker(SpeakerSettings(voice=voice))
    except (AudioUnavailable, ValueError) as error:  # ValueError: a voice not installed
        say_once(f"No speech: {error}. Showing captions only.")
        return CaptionSpeaker(display, settings.time_scale)


def run_routine(name: str, settings: SessionSettings, options: AudioOptions) -> int:
    """Run a routine out loud; returns the process exit code."""
    routine = find_routine(name)
    display = open_display()
    speaker = open_speaker(options, display, settings)
    inbox = Inbox(on_urgent=speaker.silence)
    keys = KeyReader(inbox.put)
    listening = False
    log = NullLog()
    plan = build_plan(routine, settings, listening=listening)
    ports = Ports(speaker, inbox, MonotonicClock(), display, log)
    engine = Engine(plan, settings, ports, listening=listening)
    try:
        with _sigterm_as_exit():
            keys.start()
            outcome = engine.run()
    except KeyboardInterrupt:
        return EXIT_CODES[Outcome.INTERRUPTED]
    except _Terminated:
        return 143
    finally:
        keys.stop()
        speaker.silence()
        display.close()
        speaker.close()
    return EXIT_CODES[outcome]
