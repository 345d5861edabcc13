"""The one place that wires the coach together, for every command that speaks or listens.

open_coach() gives a Coach: the speaker (speech, or captions when there is none, and
captions from the moment speech fails), the listener (the Inbox that keys and voice both
feed; "stop" and "pain" silence the speaker as they arrive), a monotonic clock, the
display and the session log. Whatever is missing is said once, plainly, and the command
goes on without it. Leaving the block closes everything, the terminal restored first.

Audio, the recogniser and the log are imported inside the functions that open them, so
that `voicecoach --help` starts fast.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from voicecoach.core.inbox import Inbox
from voicecoach.core.ports import Clock, Display, Listener, Log, Speaker, SpeakerTrace
from voicecoach.core.safety import phrases_to_prerender
from voicecoach.listening.engine import DEFAULT_ENGINE
from voicecoach.terminal.captions import CaptionSpeaker, FallbackSpeaker, open_display
from voicecoach.terminal.keys import KeyReader

if TYPE_CHECKING:
    from voicecoach.audio.speaker import AudioSpeaker
    from voicecoach.listening.engine import Decoded, Engine
    from voicecoach.listening.enrolled import EnrolledVoice
    from voicecoach.terminal.captions import LiveDisplay, PlainDisplay


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
    levelling: bool = True
    """Level the microphone before recognition: a soft voice across the room (levelling.py)."""


class MonotonicClock:
    def now(self) -> float:
        return time.monotonic()


def say_once(message: str) -> None:
    """A plain one-line notice (what is missing and how to fix it)."""
    print(message, file=sys.stderr, flush=True)


@dataclass
class Coach:
    """Everything a command speaks, listens, shows and logs through."""

    speaker: Speaker
    """Where lines go: speech, or captions."""
    listener: Listener
    """Where commands come from: the Inbox that keys, and voice while listening, feed."""
    clock: Clock
    """Monotonic time."""
    display: Display
    """What is shown."""
    log: Log
    """The session log; a NullLog when the file cannot be used."""
    listening: bool = True
    """Whether spoken commands are heard; False: the coach names keys instead of words."""
    audio: AudioSpeaker | None = None
    """The real speaker behind `speaker`, when there is speech: it renders ahead."""
    stored: bool = False
    """Whether `log` is the SQLite file (episodes and history live there)."""

    @property
    def inbox(self) -> Inbox | None:
        """The listener as the Inbox keys and voice feed (None with a fake listener): the
        first-run notice takes a "next" from it and puts the rest back."""
        return self.listener if isinstance(self.listener, Inbox) else None

    def prerender(self, lines: Iterable[str] = ()) -> None:
        """Render `lines` and the safety questions ahead on a thread, so that counts, and
        the first question after "pain", start at once."""
        if self.audio is not None:
            safety = phrases_to_prerender(self.listening)
            self.audio.prerender_in_background([*lines, *safety])


@contextmanager
def open_coach(options: AudioOptions, time_scale: float = 1.0, log: bool = True) -> Iterator[Coach]:
    """Open display, speaker, keys, voice (when options.listen) and the log (`log` False:
    a NullLog); close them all on the way out, the terminal restored first."""
    with ExitStack() as stack:
        display = open_display()
        stack.callback(display.close)
        speaker, audio = open_speaker(options, display, time_scale)
        stack.callback(speaker.close)
        stack.callback(speaker.silence)
        session_log, stored = stack.enter_context(open_log(say_once))
        inbox = Inbox(on_urgent=speaker.silence)
        tone = _tone(audio) if audio is not None else None
        voice = start_listening(options, inbox, audio, tone) if options.listen else None
        if voice is not None:
            stack.callback(voice.stop)
        keys = KeyReader(inbox.put)
        stack.callback(keys.stop)  # the last opened is closed first: the terminal comes back
        keys.start()
        yield Coach(
            speaker,
            inbox,
            MonotonicClock(),
            display,
            session_log,
            listening=voice is not None,
            audio=audio,
            stored=stored,
        )


@contextmanager
def open_log(notice: Callable[[str], None]) -> Iterator[tuple[Log, bool]]:
    """The session log and whether it is the SQLite file; a damaged file: `notice` is told
    once, and a NullLog keeps the session going unsaved. Closed on the way out."""
    from voicecoach.logbook import SqliteLog, open_session_log

    log = open_session_log(notice)
    try:
        yield log, isinstance(log, SqliteLog)
    finally:
        if isinstance(log, SqliteLog):
            log.close()


def open_speaker(
    options: AudioOptions, display: PlainDisplay | LiveDisplay, time_scale: float = 1.0
) -> tuple[FallbackSpeaker | CaptionSpeaker, AudioSpeaker | None]:
    """Real speech when it can be had, falling back to captions if it fails later;
    captions from the start when there is none (said once). Also the real speaker, if any."""
    captions = CaptionSpeaker(display, time_scale)
    if not options.speak:
        return captions, None
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
        audio = open_audio_speaker(SpeakerSettings(voice=voice), on_lost=speaker.lost)
    except (AudioUnavailable, ValueError) as error:  # ValueError: a voice not installed
        say_once(f"No speech: {error}. Showing captions only.")
        return captions, None
    speaker.primary = audio
    return speaker, audio


class _Voice:
    """The microphone feeding the recogniser, which puts commands into the Inbox."""

    def __init__(self, microphone: Any, listener: Any) -> None:
        self.microphone = microphone
        self.listener = listener

    def stop(self) -> None:
        self.microphone.stop()
        self.listener.stop()


def start_listening(
    options: AudioOptions,
    inbox: Inbox,
    coach_voice: SpeakerTrace | None,
    tone: Callable[[], None] | None = None,
) -> _Voice | None:
    """Listen for spoken commands; None (said once: keys only) when that cannot be done.

    `coach_voice` is what the coach plays, so as not to obey it (and to take it back out
    of the microphone); None when the coach shows captions only. `tone` is played when a
    word was heard but not acted on, so the person knows to say it again."""
    from voicecoach.audio.audio_system import AudioUnavailable
    from voicecoach.audio.microphone import Microphone, MicSettings
    from voicecoach.listening.engine import EngineUnavailable, make_engine
    from voicecoach.listening.levelling import open_levelling
    from voicecoach.listening.listener import VoiceListener
    from voicecoach.listening.second_opinion import SECOND_ENGINE

    try:
        engine = make_engine(options.engine, options.model, options.online)
    except EngineUnavailable as error:
        say_once(f"Not listening: {error}. Keys only.")
        return None
    voice = enrolled_voice() if options.engine == DEFAULT_ENGINE else None
    if voice is not None:
        engine = with_enrolled_voice(engine, voice, beside_whisper=True)
    listener = VoiceListener(
        inbox,
        engine,
        now_playing=coach_voice.now_playing if coach_voice is not None else None,
        last_played=coach_voice.last_played if coach_voice is not None else None,
        expected=inbox.expected,
        on_unsure=tone,
        second=SECOND_ENGINE if options.engine == DEFAULT_ENGINE else None,
        levelling=open_levelling(say_once) if options.levelling else None,
    )
    if voice is not None and listener.second is not None:
        listener.second.enrolled = whisper_with_enrolled_voice(voice)
    listener.start()
    on_frame: Callable[[Any], None] = listener.on_frame
    if options.echo_cancel and coach_voice is not None:
        on_frame = _cancelling_echo(coach_voice, listener.on_frame) or on_frame
    mic_settings = MicSettings(device=_device(options.mic), stall_timeout=3.0)
    try:
        microphone = Microphone(mic_settings, on_frame=on_frame, on_lost=_mic_lost)
        microphone.start()
    except AudioUnavailable as error:
        listener.stop()
        if coach_voice is not None:
            coach_voice.on_block(None)  # nothing to cancel the echo from
        say_once(f"No microphone: {error}. Keys only.")
        return None
    return _Voice(microphone, listener)


def enrolled_voice() -> EnrolledVoice | None:
    """The user's takes (voicecoach enrol), ready to match; None when there are none, or
    (said once) when the matcher is not installed."""
    from voicecoach.listening.enrolled import EnrolledVoice, MatcherUnavailable, voice_folder

    try:
        return EnrolledVoice.load(voice_folder())
    except MatcherUnavailable as error:
        say_once(f"Your enrolled voice is not used: {error}.")
        return None


def with_enrolled_voice(engine: Engine, voice: EnrolledVoice, beside_whisper: bool) -> Engine:
    """The fast engine helped by the user's takes: they rescue words it missed and never
    veto one it heard; beside Whisper, they never change the word it heard either
    (listening/enrolled.py FAST_WITH_WHISPER)."""
    from voicecoach.listening.enrolled import FAST_WITH_WHISPER, EnrolledEngine, Fusion

    fusion = FAST_WITH_WHISPER if beside_whisper else Fusion()
    return cast("Engine", EnrolledEngine(engine, voice, fusion))  # decodes like its inner


def whisper_with_enrolled_voice(voice: EnrolledVoice) -> Callable[[bytes, Decoded], Decoded]:
    """Where Whisper decides, the takes are fused with what it heard (second_opinion.py)."""
    from voicecoach.listening.enrolled import second_opinion_rule

    return second_opinion_rule(voice)


def _tone(speaker: Speaker) -> Callable[[], None]:
    """A short tone from the coach's speaker, played without waiting (a word was heard
    but not acted on: the person says it again)."""

    def play() -> None:
        threading.Thread(
            target=speaker.cue, args=("tick",), name="voicecoach-tone", daemon=True
        ).start()

    return play


def _cancelling_echo(
    coach_voice: SpeakerTrace, on_frame: Callable[[Any, bytes | None], None]
) -> Callable[[Any], None] | None:
    """An on_frame for the microphone handing `on_frame` each frame and the same with what
    the coach plays taken out; None (said once) when the canceller cannot run."""
    from voicecoach.audio.echo import EchoCanceller, EchoUnavailable

    try:
        canceller = EchoCanceller(on_failed=_echo_lost)
    except EchoUnavailable as error:
        _echo_lost(str(error))
        return None
    coach_voice.on_block(canceller.played)
    return canceller.alongside(on_frame)


def _echo_lost(reason: str) -> None:
    say_once(f"{reason}: while the coach talks it may not hear you.")


def _device(wanted: str | None) -> int | str | None:
    return int(wanted) if wanted is not None and wanted.isdigit() else wanted


def _mic_lost(reason: str) -> None:
    say_once(f"The microphone stopped: {reason}. Keys still work.")
