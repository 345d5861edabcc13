"""Microphone capture: 16 kHz mono 16-bit audio in 30 ms frames, on a reader thread.

Each frame carries the monotonic time it was captured, so the recogniser can tell
whether it overlaps what the coach itself was saying. A device that fails or vanishes
mid-stream ends the reader and is reported once, as a plain sentence, via `on_lost`;
it never raises into the rest of the program.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from voicecoach.audio.audio_system import AudioUnavailable, in_words, open_pyaudio, quiet_stderr
from voicecoach.audio.devices import AudioDevice, find_device
from voicecoach.listening.frames import FRAME_SAMPLES, SAMPLE_RATE, Frame

_PA_INT16 = 8  # pyaudio.paInt16; kept here so this module imports without PyAudio
POLL_SECONDS = 0.005
"""How often the reader looks for a new frame; bounds how late a frame is stamped."""
STARTUP_GRACE_SECONDS = 5.0
"""Before the first frame a stall counts only after this long: devices can start slowly
(measured: a fresh PulseAudio null sink delivers its first audio ~2 s late)."""


@dataclass(frozen=True)
class MicSettings:
    """Which microphone, and the shape of the frames it delivers."""

    device: int | str | None = None
    """PortAudio index, part of the device name (--mic), or None for the system default."""
    rate: int = SAMPLE_RATE
    """Samples per second (what the recognisers expect; frames are taken to be at it)."""
    frame_samples: int = FRAME_SAMPLES
    """Samples per frame: 480 at 16 kHz is 30 ms, a size voice-activity detectors accept."""
    stall_timeout: float | None = None
    """Report the microphone lost after this many seconds without audio; None: never.

    A real microphone delivers frames (of silence, too) all the time, and one that vanishes
    under PulseAudio can simply fall quiet; 3 s is a good value for real use. Leave it None
    with a PulseAudio null-sink monitor as the microphone: that is silent while idle.
    """


class SampleClock:
    """Times frames by how much audio came before them, not by when each read returned.

    A read returns late whenever the reader thread waited for the processor, and then
    several frames come at once; stamped on arrival, a word would seem to start up to
    ~0.1 s late (measured with two busy cores), enough to put it inside the count the
    coach started just after it. Each frame's earliest possible time is its arrival
    minus the audio since the first frame; the earliest over the last few seconds is
    the best anchor (the window lets lost audio or clock drift move it on)."""

    def __init__(self, frame_seconds: float, window_frames: int = 100) -> None:
        self.frame_seconds = frame_seconds
        self._frames = 0
        self._anchors: deque[float] = deque(maxlen=window_frames)

    def stamp(self, arrived: float) -> float:
        """The capture time of the end of the next frame, which arrived at `arrived`."""
        self._frames += 1
        audio_so_far = self._frames * self.frame_seconds
        self._anchors.append(arrived - audio_so_far)
        return min(self._anchors) + audio_so_far


class Microphone:
    """Reads frames on a thread and hands them to `on_frame`, or queues them in `frames`."""

    def __init__(
        self,
        settings: MicSettings = MicSettings(),
        on_frame: Callable[[Frame], None] | None = None,
        on_lost: Callable[[str], None] | None = None,
        pa: Any = None,
    ) -> None:
        self.settings = settings
        self._pa = pa if pa is not None else open_pyaudio()
        self.device: AudioDevice = find_device(self._pa, settings.device, "input")
        self.frames: queue.Queue[Frame] = queue.Queue(maxsize=1000)
        """Where frames go when no on_frame callback was given (oldest dropped when full)."""
        self._on_frame = on_frame if on_frame is not None else self._enqueue
        self._on_lost = on_lost
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._stream: Any = None
        self.lost_reason: str | None = None
        """Why capture ended on its own, or None while it runs / after a normal stop()."""

    def start(self) -> Microphone:
        """Open the device and start reading; raises AudioUnavailable if it cannot open."""
        try:
            with quiet_stderr():
                self._stream = self._pa.open(
                    format=_PA_INT16,
                    channels=1,
                    rate=self.settings.rate,
                    input=True,
                    input_device_index=self.device.index,
                    frames_per_buffer=self.settings.frame_samples,
                )
        except (OSError, ValueError) as error:
            raise AudioUnavailable(
                f"cannot open microphone {self.device.name!r}: {error}; "
                "choose another with --mic (see 'voicecoach devices')"
            ) from error
        self._stopping.clear()
        self._thread = threading.Thread(target=self._read_loop, name="voicecoach-mic", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stop reading and close the device (waits at most `timeout` seconds)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> Microphone:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _enqueue(self, frame: Frame) -> None:
        if self.frames.full():  # nobody is listening: keep the newest audio
            with contextlib.suppress(queue.Empty):
                self.frames.get_nowait()
        self.frames.put_nowait(frame)

    def _read_loop(self) -> None:
        stream = self._stream
        clock = SampleClock(self.settings.frame_samples / self.settings.rate)
        try:
            last_audio = time.monotonic()
            heard_any = False
            while not self._stopping.is_set():
                try:
                    pcm = self._read_frame(stream)
                except Exception as error:  # the device vanished or failed
                    self._lost(f"microphone {self.device.name!r} stopped: {in_words(error)}")
                    return
                now = time.monotonic()
                if pcm is None:
                    if self._stalled(now - last_audio, heard_any):
                        return
                    self._stopping.wait(POLL_SECONDS)
                    continue
                last_audio, heard_any = now, True
                try:
                    ended = clock.stamp(now)
                    self._on_frame(Frame(pcm, ended - len(pcm) / 2 / self.settings.rate))
                except Exception as error:  # a bug downstream must not kill silently
                    self._lost(f"microphone frames could not be handled: {error!r}")
                    return
        finally:
            # Closing a vanished device can fail too; there is nothing more to do then.
            with contextlib.suppress(Exception):
                stream.close()

    def _read_frame(self, stream: Any) -> bytes | None:
        """One frame if a whole one is waiting, else None (so stop() and stalls are noticed)."""
        if stream.get_read_available() < self.settings.frame_samples:
            return None
        data: bytes = stream.read(self.settings.frame_samples, exception_on_overflow=False)
        return data

    def _stalled(self, quiet_for: float, heard_any: bool) -> bool:
        limit = self.settings.stall_timeout
        if limit is None:
            return False
        if not heard_any:  # devices can take seconds to start (Bluetooth, PulseAudio)
            limit = max(limit, STARTUP_GRACE_SECONDS)
        if quiet_for < limit:
            return False
        self._lost(f"microphone {self.device.name!r} delivered no audio for {limit:g} s")
        return True

    def _lost(self, reason: str) -> None:
        self.lost_reason = reason
        if self._on_lost is not None:
            self._on_lost(reason)
