"""Playing PCM through PyAudio in small blocks, so that it can be cut off at once.

A writer thread owns the output stream and writes one block at a time, checking
between blocks whether it has been silenced. To stop, it closes the stream, which
drops the audio already queued in the sound server (stop_stream() would play it out).
The stream stays open between phrases, fed with silence, and is reopened after a
silence or when the sample rate changes.

Measured into a PulseAudio null sink (scripts/bench_playback_stop.py, 512-frame
blocks): silence() to the last sound at the sink, median 17-35 ms, p95 36-52 ms;
play() to the first sound, median ~80-100 ms.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from voicecoach.audio.audio_system import (
    AudioUnavailable,
    in_words,
    open_pyaudio,
    quiet_stderr,
)
from voicecoach.audio.devices import find_device

_PA_INT16 = 8  # pyaudio.paInt16; kept here so this module imports without PyAudio
DEFAULT_RATE = 22050
"""The rate espeak renders at; the stream opens at it so the first phrase starts at once."""


@dataclass(frozen=True)
class PlaybackSettings:
    """Where and how sound is played."""

    device: int | str | None = None
    """Output device: PortAudio index, part of its name, or None for the system default."""
    block_frames: int = 512
    """Frames written per block; a silence lands within about one block (23 ms at 22 kHz).

    The device buffer is two blocks. 256 stopped faster (median 12 ms) but stretched
    speech by 30% through underruns when three busy Python threads shared the process;
    512 stretched it by 3%.
    """


@dataclass
class _Job:
    pcm: bytes
    rate: int
    generation: int
    on_start: Callable[[float], None] | None
    done: threading.Event = field(default_factory=threading.Event)
    finished: bool = False


class Player:
    """Plays 16-bit mono PCM on one output device; `silence()` cuts it off from any thread."""

    def __init__(
        self,
        settings: PlaybackSettings = PlaybackSettings(),
        pa: Any = None,
        on_lost: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self._pa = pa if pa is not None else open_pyaudio()
        self.device = find_device(self._pa, settings.device, "output")
        self._on_lost = on_lost
        self._stream: Any = None
        self._stream_rate = 0
        self._cut_rate = 0
        """The rate of a stream closed by a cut-off, to reopen after it."""
        self._generation = 0
        self._lock = threading.Lock()
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self.silenced_at: float | None = None
        """Monotonic time of the last silence() call."""
        self.last_block_at: float | None = None
        """Monotonic time the writer last returned from writing a phrase block (benchmarks)."""
        self.stopped_at: float | None = None
        """Monotonic time the writer last dropped a cut-off phrase (for benchmarks)."""
        self.lost_reason: str | None = None
        """Why the output last failed, if it did."""
        self.on_played: Callable[[bytes, int], None] | None = None
        """Given every block written (speech and silence) with its rate: what the echo
        canceller takes out of the microphone."""
        self._silence_block = bytes(settings.block_frames * 2)
        self._open_stream(DEFAULT_RATE)  # fail here, plainly, if the device cannot open
        self._thread = threading.Thread(target=self._run, name="voicecoach-playback", daemon=True)
        self._thread.start()

    # --- called from any thread -------------------------------------------------------

    def play(self, pcm: bytes, rate: int, on_start: Callable[[float], None] | None = None) -> bool:
        """Play the samples; block until they have been heard (True) or were cut off (False).

        `on_start(t)` is called with the monotonic time the first block went out.
        """
        with self._lock:
            job = _Job(pcm, rate, self._generation, on_start)
        self._jobs.put(job)
        seconds = len(pcm) / 2 / rate
        if not job.done.wait(timeout=seconds + 5.0):
            self.silence()  # the device hung: give up on this phrase
            return False
        return job.finished

    def silence(self) -> None:
        """Cut off what is playing and drop anything waiting to play."""
        with self._lock:
            self._generation += 1
            self.silenced_at = time.monotonic()

    def close(self) -> None:
        """Stop the writer thread and close the stream."""
        self.silence()
        self._jobs.put(None)
        self._thread.join(timeout=2.0)

    # --- the writer thread ------------------------------------------------------------
    #
    # Between phrases the writer keeps feeding the stream silence. Measured through
    # PulseAudio's ALSA plugin: a stream left to run dry (or stopped and restarted) loses
    # whole phrases, and one that is kept fed starts each phrase within ~0.1 s.

    def _current(self, job: _Job) -> bool:
        with self._lock:
            return job.generation == self._generation

    def _run(self) -> None:
        while True:
            job = self._next_job()
            if job is None:
                self._close_stream()
                return
            try:
                job.finished = self._current(job) and self._play_job(job)
            except (OSError, AudioUnavailable) as error:  # device gone or failing
                self._close_stream()
                job.finished = False
                self._report_lost(error)
            finally:
                job.done.set()
            self._reopen_after_cut()

    def _reopen_after_cut(self) -> None:
        """Reopen after a cut-off only once the cut phrase's caller has been let go, so
        the engine reacts to "stop" at once; the next phrase then finds a stream ready."""
        rate, self._cut_rate = self._cut_rate, 0
        if rate and self._stream is None:
            try:
                self._open_stream(rate)
            except AudioUnavailable as error:
                self._report_lost(error)

    def _next_job(self) -> _Job | None:
        """Wait for the next job, writing silence meanwhile while the stream is open."""
        while True:
            try:
                if self._stream is None:
                    return self._jobs.get()
                return self._jobs.get_nowait()
            except queue.Empty:
                pass
            try:
                self._write(self._stream, self._silence_block)  # paced by the sound card
            except OSError as error:
                self._close_stream()
                self._report_lost(error)

    def _report_lost(self, error: BaseException) -> None:
        """Tell on_lost once per loss (not again for every phrase that then fails)."""
        reason = in_words(error)
        if not isinstance(error, AudioUnavailable):
            reason = f"the speaker stopped: {reason}"
        already_reported = self.lost_reason is not None
        self.lost_reason = reason
        if self._on_lost is not None and not already_reported:
            self._on_lost(reason)

    def _play_job(self, job: _Job) -> bool:
        stream = self._open_stream(job.rate)
        block_bytes = self.settings.block_frames * 2
        started = time.monotonic()
        if job.on_start is not None:
            job.on_start(started)
        for offset in range(0, len(job.pcm), block_bytes):
            if not self._current(job):
                return self._cut_off()
            self._write(stream, job.pcm[offset : offset + block_bytes])
            self.last_block_at = time.monotonic()
        # The tail is still in the sound server's buffer: push it out with silence,
        # still checking between blocks, until it has been heard.
        heard_at = started + len(job.pcm) / 2 / job.rate + stream.get_output_latency()
        while time.monotonic() < heard_at:
            if not self._current(job):
                return self._cut_off()
            self._write(stream, self._silence_block)
        return True

    def _write(self, stream: Any, block: bytes) -> None:
        stream.write(block)
        if self.on_played is not None:
            self.on_played(block, self._stream_rate)

    def _cut_off(self) -> bool:
        """Drop everything queued (close); the writer reopens once the caller is let go."""
        self._cut_rate = self._stream_rate
        self._close_stream()
        self.stopped_at = time.monotonic()
        return False

    def _open_stream(self, rate: int) -> Any:
        if self._stream is not None and self._stream_rate == rate:
            return self._stream
        self._close_stream()
        try:
            with quiet_stderr():
                self._stream = self._pa.open(
                    format=_PA_INT16,
                    channels=1,
                    rate=rate,
                    output=True,
                    output_device_index=self.device.index,
                    frames_per_buffer=self.settings.block_frames,
                )
        except (OSError, ValueError) as error:
            raise AudioUnavailable(
                f"cannot open audio output {self.device.name!r} ({error}); check the speaker "
                "is connected, or pick another output (see 'voicecoach devices')"
            ) from error
        self._stream_rate = rate
        self.lost_reason = None  # the output works (again)
        return self._stream

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
