"""Running a routine for real: wires the engine to speech, keys, voice and the log.

Whatever is missing (speaker, microphone) is said once, plainly, and the session goes
on without it. Ctrl-C and SIGTERM end the session as interrupted, saved, with the
terminal restored.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

from voicecoach.commands.care_commands import LogbookEpisodes, safety_for, session_opening
from voicecoach.commands.care_io import CoachIO
from voicecoach.core.asking import ask_pain_score
from voicecoach.core.engine import Engine, Ports
from voicecoach.core.episode import local_now
from voicecoach.core.inbox import Inbox
from voicecoach.core.plan import Plan, build_plan, spoken_lines
from voicecoach.core.ports import Listener, Outcome
from voicecoach.core.routines import Routine, load_catalogue
from voicecoach.core.safety import phrases_to_prerender
from voicecoach.core.settings import SessionSettings
from voicecoach.core.wording import Wording
from voicecoach.listening.engine import DEFAULT_ENGINE
from voicecoach.logbook import SqliteLog, open_session_log
from voicecoach.terminal.captions import CaptionSpeaker, FallbackSpeaker, open_display
from voicecoach.terminal.keys import KeyReader

EXIT_CODES = {
    Outcome.COMPLETED: 0,
    Outcome.QUIT: 0,
    Outcome.STOPPED_FOR_PAIN: 0,
    Outcome.URGENT: 0,
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
    engine: str = DEFAULT_ENGINE
    """Recogniser engine, by its name in listening.engine.ENGINES."""
    model: str | None = None
    """A local model path, for an engine that takes one."""
    online: bool = False
    """Allow an online recogniser (audio leaves the machine)."""
    speak: bool = True
    """Speak out loud; False shows captions only."""
    echo_cancel: bool = True
    """Take the coach's own voice out of what the microphone hears (see echo.py)."""


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
    """SIGTERM or SIGHUP, raised in the main thread so the session ends the usual way."""


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise _Terminated(128 + signum)


@contextmanager
def _signals_as_exit() -> Iterator[None]:
    """SIGTERM (kill) and SIGHUP (terminal closed) end the session like Ctrl-C: saved."""
    caught = (signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, _on_signal) for signum in caught}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class MonotonicClock:
    def now(self) -> float:
        return time.monotonic()


def say_once(message: str) -> None:
    """A plain one-line notice (what is missing and how to fix it)."""
    print(message, file=sys.stderr, flush=True)


def open_speaker(options: AudioOptions, display: Any, settings: SessionSettings) -> Any:
    """Real speech when it can be had, falling back to captions if it fails later;
    captions from the start when there is none (said once)."""
    captions = CaptionSpeaker(display, settings.time_scale)
    if not options.speak:
        return captions
    from voicecoach.audio.audio_system import AudioUnavailable
    from voicecoach.audio.speaker import SpeakerSettings
    from voicecoach.audio.speaker import open_speaker as open_audio_speaker
    from voicecoach.audio.tts import VoiceSettings

    speaker = FallbackSpeaker(captions, notice=say_once)
    try:
        voice = VoiceSettings(
            voice=options.voice or "",
            rate=options.rate or VoiceSettings.rate,
            volume=options.volume,
        )
        speaker.primary = open_audio_speaker(SpeakerSettings(voice=voice), on_lost=speaker.lost)
    except (AudioUnavailable, ValueError) as error:  # ValueError: a voice not installed
        say_once(f"No speech: {error}. Showing captions only.")
        return captions
    return speaker


@dataclass
class _Parts:
    """What a live session is made of, so that all of it is closed on the way out."""

    display: Any
    speaker: Any
    inbox: Inbox
    keys: KeyReader
    log: Any
    voice: Any = None
    """The microphone and the listener behind it, while listening."""

    def close(self) -> None:
        self.keys.stop()  # the terminal is restored first, whatever happens next
        if self.voice is not None:
            self.voice.stop()
        self.speaker.silence()
        self.display.close()
        self.speaker.close()
        if isinstance(self.log, SqliteLog):
            self.log.close()


def _open_parts(options: AudioOptions, settings: SessionSettings) -> _Parts:
    display = open_display()
    speaker = open_speaker(options, display, settings)
    inbox = Inbox(on_urgent=speaker.silence)
    log = open_session_log(say_once)  # a damaged log file: said once, session unsaved
    return _Parts(display, speaker, inbox, KeyReader(inbox.put), log)


class _Voice:
    """The microphone feeding the recogniser, which puts commands into the Inbox."""

    def __init__(self, microphone: Any, listener: Any) -> None:
        self.microphone = microphone
        self.listener = listener

    def stop(self) -> None:
        self.microphone.stop()
        self.listener.stop()


def start_listening(options: AudioOptions, inbox: Inbox, speaker: Any) -> _Voice | None:
    """Listen for spoken commands; None (said once: keys only) when that cannot be done."""
    from voicecoach.audio.audio_system import AudioUnavailable
    from voicecoach.audio.microphone import Microphone, MicSettings
    from voicecoach.listening.engine import EngineUnavailable, make_engine
    from voicecoach.listening.listener import VoiceListener
    from voicecoach.listening.second_opinion import SECOND_ENGINE

    try:
        engine = make_engine(options.engine, options.model, options.online)
    except EngineUnavailable as error:
        say_once(f"Not listening: {error}. Keys only.")
        return None
    coach = getattr(speaker, "primary", None)  # what the coach says, so as not to obey it
    listener = VoiceListener(
        inbox,
        engine,
        now_playing=getattr(coach, "now_playing", None),
        last_played=getattr(coach, "last_played", None),
        expected=inbox.expected,
        second=SECOND_ENGINE if options.engine == DEFAULT_ENGINE else None,
    ).start()
    on_frame: Callable[[Any], None] = listener.on_frame
    player = getattr(coach, "player", None)
    if options.echo_cancel and player is not None:
        on_frame = _cancelling_echo(player, listener.on_frame) or on_frame
    mic_settings = MicSettings(device=_device(options.mic), stall_timeout=3.0)
    try:
        microphone = Microphone(mic_settings, on_frame=on_frame, on_lost=_mic_lost)
        microphone.start()
    except AudioUnavailable as error:
        listener.stop()
        if player is not None:
            player.on_played = None  # nothing to cancel the echo from
        say_once(f"No microphone: {error}. Keys only.")
        return None
    return _Voice(microphone, listener)


def _cancelling_echo(
    player: Any, on_frame: Callable[[Any, bytes | None], None]
) -> Callable[[Any], None] | None:
    """An on_frame for the microphone handing `on_frame` each frame and the same with what
    `player` plays taken out; None (said once) when the canceller cannot run."""
    from voicecoach.audio.echo import EchoCanceller, EchoUnavailable

    try:
        canceller = EchoCanceller(on_failed=_echo_lost)
    except EchoUnavailable as error:
        _echo_lost(str(error))
        return None
    player.on_played = canceller.played
    return canceller.alongside(on_frame)


def _echo_lost(reason: str) -> None:
    say_once(f"{reason}: while the coach talks it may not hear you.")


def _device(wanted: str | None) -> int | str | None:
    return int(wanted) if wanted is not None and wanted.isdigit() else wanted


def _mic_lost(reason: str) -> None:
    say_once(f"The microphone stopped: {reason}. Keys still work.")


def _prerender(speaker: Any, plan: Plan, listening: bool) -> None:
    """Render every line ahead on a thread, so counts and safety questions start at once."""
    prerender = getattr(speaker, "prerender_in_background", None)
    if prerender is not None:
        prerender(spoken_lines(plan) + phrases_to_prerender(listening))


def _engine(plan: Plan, settings: SessionSettings, parts: _Parts, listening: bool) -> Engine:
    clock = MonotonicClock()
    # Episodes live in the log: with a damaged log there is no episode to go by.
    store = LogbookEpisodes() if isinstance(parts.log, SqliteLog) else None
    io = CoachIO(parts.speaker, parts.inbox, clock, parts.display, listening=listening)
    wording = Wording(listening)

    def ask_pain(when: str, listener: Listener) -> int | None:
        return ask_pain_score(
            parts.speaker, listener, parts.log, when, parts.display, wording=wording
        )

    ports = Ports(
        parts.speaker,
        parts.inbox,
        clock,
        parts.display,
        parts.log,
        safety=safety_for(io, parts.log, store),
        ask_pain_score=ask_pain,
    )
    session_opening(parts.speaker, parts.display, store, local_now())
    return Engine(plan, settings, ports, listening=listening)


def run_routine(name: str, settings: SessionSettings, options: AudioOptions) -> int:
    """Run a routine out loud; returns the process exit code."""
    routine = find_routine(name)
    parts = _open_parts(options, settings)
    if options.listen:
        parts.voice = start_listening(options, parts.inbox, parts.speaker)
    listening = parts.voice is not None
    plan = build_plan(routine, settings, listening=listening)
    _prerender(parts.speaker, plan, listening)
    try:
        with _signals_as_exit():
            parts.keys.start()
            outcome = _engine(plan, settings, parts, listening).run()
    except KeyboardInterrupt:
        return EXIT_CODES[Outcome.INTERRUPTED]
    except _Terminated as ended:
        return int(ended.code or 143)
    finally:
        parts.close()
    return EXIT_CODES[outcome]
