"""Rendering phrases to PCM with pyttsx3, so that we can play (and stop) them ourselves.

pyttsx3's own say()/runAndWait() cannot be interrupted reliably, so we only ever use
save_to_file(): render into a private temporary file, wait until the whole file is
there, read it back as 16-bit mono samples and cache the result in memory.

Measured on Debian 12 (espeak-ng driver, 2 shared cores): one engine start ~30 ms,
a short phrase renders in ~10-20 ms and the WAV is complete by the time runAndWait()
returns; we still poll for a complete, stable file because other drivers (and other
versions) write it on their own thread. See scripts/bench_render.py.
"""

from __future__ import annotations

import array
import atexit
import contextlib
import gc
import io
import itertools
import os
import shutil
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from voicecoach.audio.audio_system import AudioUnavailable

ESPEAK_FIX = "install espeak-ng: sudo apt install espeak-ng"
SILENT_RATE = 22050
"""The rate given to the (empty) sound of a blank phrase: espeak's own."""

PRERENDER_PHRASES: tuple[str, ...] = tuple(str(n) for n in range(1, 61)) + (
    "release",
    "relax",
    "breathe",
)
"""What the coach says over and over while counting: worth rendering before a session."""


@dataclass(frozen=True)
class VoiceSettings:
    """How the coach sounds."""

    voice: str = ""
    """An espeak voice id ("gmw/en-us") or part of a voice name ("english"); "" = default."""
    rate: int = 160
    """Speaking rate in words per minute (espeak's default is 175)."""
    volume: float = 1.0
    """Loudness from 0 (silent) to 1 (as rendered); applied to the samples."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.volume <= 1.0:
            raise ValueError(f"volume must be between 0 and 1, not {self.volume}")
        if not 40 <= self.rate <= 500:
            raise ValueError(f"rate must be between 40 and 500 words per minute, not {self.rate}")


@dataclass(frozen=True)
class Rendered:
    """One phrase as sound: 16-bit little-endian mono samples."""

    pcm: bytes
    rate: int
    """Samples per second."""

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.rate


class _DropSavedNotice(io.TextIOBase):
    """Stdout that swallows pyttsx3's "Audio saved to ..." line and passes the rest on.

    A filter rather than a redirect: other threads (captions) keep printing meanwhile.
    """

    def __init__(self, target: TextIO) -> None:
        self.target = target
        self._dropping_newline = False

    def write(self, text: str) -> int:
        if text.startswith("Audio saved to"):
            self._dropping_newline = True
            return len(text)
        if self._dropping_newline and text == "\n":
            self._dropping_newline = False
            return len(text)
        self._dropping_newline = False
        return self.target.write(text)

    def flush(self) -> None:
        self.target.flush()

    # Look like the real terminal, so that others printing meanwhile format as usual.
    def isatty(self) -> bool:
        return self.target.isatty()

    def fileno(self) -> int:
        return self.target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.target.encoding


@contextlib.contextmanager
def _without_saved_notice() -> Iterator[None]:
    original = sys.stdout
    sys.stdout = _DropSavedNotice(original)
    try:
        yield
    finally:
        sys.stdout = original


# One pyttsx3 engine per process: espeak can only be initialised once, and reusing it
# saves ~30 ms per phrase. The lock serialises renders from several threads.
_engine: Any = None
_engine_lock = threading.Lock()
_file_counter = itertools.count()
_scratch_dir: str | None = None
_default_voice = ""


def _missing_engine_message(error: BaseException) -> str:
    if sys.platform.startswith("linux"):
        return f"speech engine unavailable ({error}); {ESPEAK_FIX}"
    return f"speech engine unavailable ({error}); reinstall pyttsx3 for this system"


def _get_engine() -> Any:
    """The process's pyttsx3 engine; call with _engine_lock held."""
    global _engine, _scratch_dir, _default_voice
    if _engine is None:
        try:
            import pyttsx3

            _engine = pyttsx3.init()
        except Exception as error:  # the espeak driver raises RuntimeError/OSError
            raise AudioUnavailable(_missing_engine_message(error)) from error
        _hand_espeak_the_texts_own_size(_engine)
        _scratch_dir = tempfile.mkdtemp(prefix="voicecoach-tts-")
        atexit.register(shutil.rmtree, _scratch_dir, True)
        atexit.register(_release_engine)
        _default_voice = str(_engine.getProperty("voice") or "")
    return _engine


def _hand_espeak_the_texts_own_size(engine: Any) -> None:
    """pyttsx3 2.99 tells espeak_Synth that a phrase is ten times its length, and espeak-ng,
    in the asynchronous mode pyttsx3 starts it in, copies that many bytes of it (its
    create_espeak_text): it read past the end of the phrase's bytes, now and then into
    memory that is not mapped, and the whole process died in Synth (a segfault, twice on
    CI-like runs). Give it the phrase's own size: its UTF-8 bytes and the closing zero."""
    espeak = _espeak_of(engine)
    if espeak is None or not hasattr(espeak, "cSynth"):
        return

    def synth(
        text: str | bytes, position: int = 0, position_type: int = espeak.POS_CHARACTER,
        end_position: int = 0, flags: int = 0, user_data: Any = None,
    ) -> Any:  # fmt: skip
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        size = len(data) + 1  # CPython keeps a zero after a bytes object's data
        return espeak.cSynth(data, size, position, position_type, end_position, flags, None,
                             user_data)  # fmt: skip

    espeak.Synth = synth


def _release_engine() -> None:
    """Drop the engine while modules still exist: pyttsx3's __del__ otherwise prints an
    "Exception ignored" traceback when the interpreter shuts down."""
    global _engine
    _engine = None
    gc.collect()


def default_voice() -> str:
    """The id of the voice the speech engine starts with."""
    with _engine_lock:
        _get_engine()
        return _default_voice


def voice_ids() -> list[tuple[str, str]]:
    """(id, name) of every installed voice."""
    with _engine_lock:
        engine = _get_engine()
        return [(str(v.id), str(v.name)) for v in engine.getProperty("voices")]


def resolve_voice(wanted: str) -> str:
    """The id of the voice whose id is `wanted`, or whose name or id contains it.

    Raises ValueError naming a few voices when nothing matches.
    """
    voices = voice_ids()
    needle = wanted.lower()

    def tier(vid: str, name: str) -> int | None:
        vid, name = vid.lower(), name.lower()
        if needle in (vid, name, vid.rsplit("/", 1)[-1]):
            return 0
        if name.startswith(needle):
            return 1
        if needle in name or needle in vid:
            return 2
        return None

    # Best tier first; among equals the shortest id is the plain voice ("gmw/en").
    ranked = sorted(
        (rank, len(vid), vid) for vid, name in voices if (rank := tier(vid, name)) is not None
    )
    if ranked:
        return ranked[0][2]
    examples = ", ".join(name for _, name in voices[:5])
    raise ValueError(f"no voice matches {wanted!r} (try one of: {examples}, ...)")


def _complete_riff_size(head: bytes) -> int | None:
    """Total file size a RIFF/WAVE header promises, or None when it is not (yet) RIFF."""
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    return int.from_bytes(head[4:8], "little") + 8


def _file_is_complete(path: str, last_size: int) -> tuple[bool, int]:
    """Is the file whole? True when its header's size matches, or its size stopped growing."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            head = handle.read(12)
    except OSError:
        return False, -1
    if size < 44:
        return False, size
    promised = _complete_riff_size(head)
    if promised is not None:
        return size >= promised, size
    # AIFF (macOS) or unknown: accept it once the size has held still for one poll.
    return size == last_size, size


def _wait_for_file(path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_size = -1
    while time.monotonic() < deadline:
        complete, last_size = _file_is_complete(path, last_size)
        if complete:
            return
        time.sleep(0.005)
    raise AudioUnavailable(f"speech rendering did not finish within {timeout:.0f} s; {ESPEAK_FIX}")


def _read_aiff(path: str) -> tuple[bytes, int, int, int]:
    """Samples of an AIFF file (what macOS writes), via aifc while Python still has it."""
    try:
        import aifc  # removed in Python 3.13
    except ImportError as error:
        raise AudioUnavailable(
            "this Python cannot read the AIFF files the system voice writes; use Python <= 3.12"
        ) from error
    with aifc.open(path, "rb") as source:
        frames = source.readframes(source.getnframes())
        width = source.getsampwidth()
        if width == 2:  # AIFF is big-endian
            samples = array.array("h", frames)
            samples.byteswap()
            frames = samples.tobytes()
        return frames, source.getframerate(), source.getnchannels(), width


def _read_sound_file(path: str) -> tuple[bytes, int, int, int]:
    """(frames, rate, channels, sample width) of a WAV or AIFF file."""
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic == b"FORM":
        return _read_aiff(path)
    with wave.open(path, "rb") as source:
        return (
            source.readframes(source.getnframes()),
            source.getframerate(),
            source.getnchannels(),
            source.getsampwidth(),
        )


def to_mono16(frames: bytes, channels: int, width: int) -> bytes:
    """16-bit mono samples from interleaved 16-bit frames (the first channel)."""
    if width != 2:
        raise AudioUnavailable(f"speech engine wrote {8 * width}-bit audio; expected 16-bit")
    if channels == 1:
        return frames
    samples = array.array("h", frames)
    return samples[::channels].tobytes()


def scale_volume(pcm: bytes, volume: float) -> bytes:
    """16-bit samples made quieter by `volume` (0..1)."""
    if volume >= 1.0:
        return pcm
    samples = array.array("h", pcm)
    return array.array("h", [int(s * volume) for s in samples]).tobytes()


def _espeak_of(engine: Any) -> Any:
    """pyttsx3's espeak-ng bindings when the engine uses that driver, else None."""
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if driver is None or not type(driver).__module__.endswith(".espeak"):
        return None
    from pyttsx3.drivers import _espeak

    return _espeak


def _apply_settings(engine: Any, voice: str, rate: int) -> None:
    """Set voice and rate so that they hold for the next phrase.

    Measured with pyttsx3 2.99 + espeak-ng: engine.setProperty() may sit in pyttsx3's
    command queue, and espeak applies parameters on its own thread; runAndWait() then
    calls espeak_Cancel(), which drops parameters still queued, so about one phrase in
    three came out at the previous rate. Setting them on the espeak driver directly and
    waiting with espeak_Synchronize() made 60 of 60 alternating renders correct.
    """
    espeak = _espeak_of(engine)
    if espeak is None:
        if voice:
            engine.setProperty("voice", voice)
        engine.setProperty("rate", rate)
        return
    driver = engine.proxy._driver
    espeak.Synchronize()  # the previous phrase's callbacks have all run
    if voice:
        driver.setProperty("voice", voice)
    driver.setProperty("rate", rate)
    driver.setProperty("volume", 1.0)
    espeak.Synchronize()


def _settle(engine: Any) -> None:
    """Wait until the driver's thread is done with the phrase (it prints after writing)."""
    espeak = _espeak_of(engine)
    if espeak is not None:
        espeak.Synchronize()


def trim_silence(pcm: bytes, rate: int, threshold: int = 100, keep: float = 0.03) -> bytes:
    """Samples without the near-silence espeak puts before and after speech (keeps `keep` s).

    espeak ends every phrase with ~0.35 s of quiet; trimmed, counts land on time and
    the end of a phrase is when the speech ends.
    """
    samples = array.array("h", pcm)
    first = next((i for i, s in enumerate(samples) if abs(s) > threshold), None)
    if first is None:
        return pcm
    last = len(samples) - next(i for i, s in enumerate(reversed(samples)) if abs(s) > threshold)
    pad = int(keep * rate)
    return samples[max(0, first - pad) : min(len(samples), last + pad)].tobytes()


def _render_to_file(engine: Any, text: str, path: str, timeout: float) -> None:
    # The notice filter stays on until the driver is done: it prints after writing.
    with _without_saved_notice():
        engine.save_to_file(text, path)
        engine.runAndWait()
        _wait_for_file(path, timeout)
        _settle(engine)


def _render_uncached(text: str, voice: str, rate: int, timeout: float) -> Rendered:
    with _engine_lock:
        engine = _get_engine()
        assert _scratch_dir is not None
        _apply_settings(engine, voice, rate)
        path = os.path.join(_scratch_dir, f"phrase-{next(_file_counter)}.wav")
        try:
            _render_to_file(engine, text, path, timeout / 2)
        except AudioUnavailable:  # lost once in a while? one fresh attempt
            path = os.path.join(_scratch_dir, f"phrase-{next(_file_counter)}.wav")
            _render_to_file(engine, text, path, timeout / 2)
    try:
        frames, sample_rate, channels, width = _read_sound_file(path)
    finally:
        with contextlib.suppress(OSError):
            os.remove(path)
    pcm = trim_silence(to_mono16(frames, channels, width), sample_rate)
    return Rendered(pcm, sample_rate)


class Renderer:
    """Turns phrases into PCM with fixed voice settings, remembering what it rendered."""

    def __init__(self, settings: VoiceSettings = VoiceSettings(), timeout: float = 10.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self._voice_id = resolve_voice(settings.voice) if settings.voice else default_voice()
        self._cache: dict[tuple[str, str, int], Rendered] = {}
        self._cache_lock = threading.Lock()
        self.render_seconds: list[float] = []
        """Wall time of each uncached render, for benchmarks."""

    def render(self, text: str) -> Rendered:
        """The phrase as sound; rendered once, then served from memory."""
        if not text.strip():
            return Rendered(b"", SILENT_RATE)
        key = (text, self._voice_id, self.settings.rate)
        with self._cache_lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        started = time.monotonic()
        raw = _render_uncached(text, self._voice_id, self.settings.rate, self.timeout)
        rendered = Rendered(scale_volume(raw.pcm, self.settings.volume), raw.rate)
        self.render_seconds.append(time.monotonic() - started)
        with self._cache_lock:
            self._cache[key] = rendered
        return rendered

    def prerender(self, texts: Iterable[str] = PRERENDER_PHRASES) -> None:
        """Render phrases ahead so that saying them later starts at once."""
        for text in texts:
            self.render(text)

    def is_cached(self, text: str) -> bool:
        with self._cache_lock:
            return (text, self._voice_id, self.settings.rate) in self._cache
