"""The real Speaker: phrases rendered by pyttsx3, played in small blocks by PyAudio.

It also keeps track of what it is playing, so that the recogniser can ignore the
coach's own voice coming back through the microphone.
"""

from __future__ import annotations

import contextlib
import threading
import time
import wave
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING

from voicecoach.audio.audio_system import AudioUnavailable
from voicecoach.audio.playback import PlaybackSettings, Player
from voicecoach.audio.tts import PRERENDER_PHRASES, Rendered, Renderer, VoiceSettings, to_mono16

if TYPE_CHECKING:
    from voicecoach.core.ports import Speaker, SpeakerTrace

CUE_PACKAGE = "voicecoach.audio.cues"


@dataclass(frozen=True)
class SpeakerSettings:
    """Everything about how the coach's voice comes out."""

    voice: VoiceSettings = field(default_factory=VoiceSettings)
    """Which voice, how fast, how loud."""
    output: PlaybackSettings = field(default_factory=PlaybackSettings)
    """Which output device, and the block size that bounds how fast a silence lands."""


def load_cue(name: str) -> Rendered:
    """The cue sound `name` ("hold_start", "hold_end", "tick") shipped with the package."""
    resource = resources.files(CUE_PACKAGE) / f"{name}.wav"
    if not resource.is_file():
        known = sorted(
            item.name[: -len(".wav")]
            for item in resources.files(CUE_PACKAGE).iterdir()
            if item.name.endswith(".wav")
        )
        raise ValueError(f"no cue sound named {name!r} (known: {', '.join(known)})")
    with resource.open("rb") as handle, wave.open(handle, "rb") as source:
        frames = source.readframes(source.getnframes())
        pcm = to_mono16(frames, source.getnchannels(), source.getsampwidth())
        return Rendered(pcm, source.getframerate())


class AudioSpeaker:
    """Implements ports.Speaker on real audio. Safe to silence from any thread."""

    def __init__(
        self,
        renderer: Renderer,
        player: Player,
        on_lost: Callable[[str], None] | None = None,
    ) -> None:
        self.renderer = renderer
        self.player = player
        self._on_lost = on_lost
        self._cues: dict[str, Rendered] = {}
        self._lock = threading.Lock()
        self._now_playing: tuple[str, float] | None = None
        self._last_played: tuple[str, float, float] | None = None

    # --- ports.Speaker ------------------------------------------------------------

    def say(self, text: str) -> bool:
        """Speak a line; True when it was heard in full, False when it was cut off."""
        if not text.strip():
            return True
        try:
            sound = self.renderer.render(text)
        except AudioUnavailable as error:  # the speech engine failed: not spoken
            if self._on_lost is not None:
                self._on_lost(str(error))
            return False
        return self._play(text, sound)

    def cue(self, name: str) -> bool:
        """Play a cue sound; reported to now_playing() as "cue:<name>"."""
        if name not in self._cues:
            self._cues[name] = load_cue(name)
        return self._play(f"cue:{name}", self._cues[name])

    def silence(self) -> None:
        """Cut off what is playing within one audio block."""
        self.player.silence()

    def duration(self, text: str) -> float:
        """Seconds saying `text` takes; renders it now, so saying it later starts at once."""
        if not text.strip():
            return 0.0
        try:
            return self.renderer.render(text).seconds
        except AudioUnavailable:  # say() will report it; estimate from the word count
            return len(text.split()) * 60 / self.renderer.settings.rate

    # --- for the recogniser's self-hearing filter ---------------------------------

    def now_playing(self) -> tuple[str, float] | None:
        """(text, monotonic start time) of what is playing right now, or None."""
        with self._lock:
            return self._now_playing

    def last_played(self) -> tuple[str, float, float] | None:
        """(text, monotonic start, monotonic end) of the last thing that finished or was cut."""
        with self._lock:
            return self._last_played

    def on_block(self, hook: Callable[[bytes, int], None] | None) -> None:
        """Have `hook(pcm, rate)` called with each block as it is played (for the echo
        canceller); None: no more."""
        self.player.on_played = hook

    # --- housekeeping -------------------------------------------------------------

    def prerender(self, texts: Iterable[str] = PRERENDER_PHRASES) -> None:
        """Render phrases ahead (numbers 1-60, "release", ...) so counting starts on time."""
        self.renderer.prerender(texts)

    def prerender_in_background(self, texts: Iterable[str] = PRERENDER_PHRASES) -> threading.Thread:
        """Like prerender(), on a daemon thread; the first instruction need not wait."""
        phrases = list(texts)
        thread = threading.Thread(
            target=self._prerender_quietly, args=(phrases,), name="voicecoach-prerender"
        )
        thread.daemon = True
        thread.start()
        return thread

    def _prerender_quietly(self, phrases: list[str]) -> None:
        # Rendering failures show up, plainly, when the phrase is said; not here.
        with contextlib.suppress(Exception):
            self.renderer.prerender(phrases)

    def close(self) -> None:
        self.player.close()

    def _play(self, label: str, sound: Rendered) -> bool:
        def started(at: float) -> None:
            with self._lock:
                self._now_playing = (label, at)

        finished = self.player.play(sound.pcm, sound.rate, on_start=started)
        with self._lock:
            start = self._now_playing[1] if self._now_playing else time.monotonic()
            self._now_playing = None
            self._last_played = (label, start, time.monotonic())
        return finished


def open_speaker(
    settings: SpeakerSettings = SpeakerSettings(),
    on_lost: Callable[[str], None] | None = None,
) -> AudioSpeaker:
    """A ready speaker, or AudioUnavailable with a one-line reason and how to fix it.

    `on_lost(reason)` is called when speech fails later: the output (from the playback
    thread, once per loss; e.g. a headset unplugged) or the speech engine (from the
    caller's thread). say() then returns False without blocking.
    Raises ValueError when the settings name a voice that is not installed.
    """
    renderer = Renderer(settings.voice)  # AudioUnavailable when espeak-ng is missing
    player = Player(settings.output, on_lost=on_lost)  # AudioUnavailable: no output
    return AudioSpeaker(renderer, player, on_lost)


if TYPE_CHECKING:
    _implements_the_port: type[Speaker] = AudioSpeaker  # mypy checks the protocols here
    _traces_what_it_plays: type[SpeakerTrace] = AudioSpeaker
