"""Levelling the microphone before recognition: a soft voice across the room.

A person on the floor speaks quietly, often two metres from the laptop, with a fan
running. What reaches the listener is then a word a few dB above a steady rumble: the
voice-activity detector takes frames only when they stand out from the background and
are louder than -55 dBFS, so a soft word there may never reach a decoder (espeak-ng
tuning voices 20 dB under their level, with reverb and a -50 dBFS fan: 13 of 48
stop/yes/no gave no word-sized sound at all; 5 with levelling), and Whisper takes a soft
word for no speech (the two recognisers together heard 71% of them at -10 dB; 94% with
each sound raised). Two parts, both switched by the listener's `levelling`:
- the stream: "room" (RoomLeveller), the rumble below 200 Hz taken out (a fan's, a hum;
  speech carries little there) and the sound raised by what that took out of the
  background, so a quiet room is not raised (a 20 dB gain there made the coach's own
  script give an "it hurts"). About 0.2% of one core.
- each word-sized sound Whisper hears: raised_for_whisper.
Measured with scripts/eval_soft_voice.py (README: "A soft voice across the room").

Not the default, measured: WebRTC's gain control and noise suppression (livekit's audio
processing module, the echo canceller's package: "webrtc", "webrtc-agc", "webrtc-ns").
The noise suppressor eats the "s" of "stop" (missed 50 to 62% instead of 25% at full
level); the gain control alone changed little. "high-pass" alone put soft words under
the VAD's minimum level.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from voicecoach.listening.frames import SAMPLE_RATE, Frame
from voicecoach.listening.vad import background_level

FrameFilter = Callable[[Frame], Frame]
"""A frame in, the same frame levelled out (one per stream: it keeps state)."""

CUTOFF_HZ = 200.0
"""Below this the high-pass takes the sound out."""
MAX_GAIN_DB = 20.0
"""The most the microphone is raised."""
CEILING_DBFS = -3.0
"""No frame's peak is raised past this (no clipping, the coach's voice close by)."""
RISE_DB_PER_FRAME = 0.2
"""After a loud sound lowered the gain, it comes back this fast (6.7 dB a second)."""
FLOOR_FRAMES = 100
"""Frames the background level is measured over (3 s, as the VAD)."""
FIRST_MEASURE_FRAMES = 10
"""Frames before the background is trusted (0.3 s)."""
WEBRTC_STEP = SAMPLE_RATE // 100
"""Samples per 10 ms, the step WebRTC's processing takes."""


class LevellingUnavailable(RuntimeError):
    """The levelling cannot run here; the message is one line for the user."""


def low_pass_kernel(cutoff: float, taps: int) -> np.ndarray:
    """A linear-phase low-pass below `cutoff` Hz: a windowed-sinc FIR of `taps` (odd)."""
    n = np.arange(taps) - (taps - 1) / 2
    return 2 * cutoff / SAMPLE_RATE * np.sinc(2 * cutoff / SAMPLE_RATE * n) * np.hamming(taps)


class HighPass:
    """A linear-phase high-pass (a windowed-sinc FIR, 10 ms delay): takes out the rumble
    below `cutoff` Hz, where speech carries little of what tells words apart."""

    def __init__(self, cutoff: float = CUTOFF_HZ, taps: int = 321) -> None:
        low = low_pass_kernel(cutoff, taps)
        self._kernel = -low / low.sum()
        self._kernel[(taps - 1) // 2] += 1.0
        self._history = np.zeros(taps - 1)

    def __call__(self, frame: Frame) -> Frame:
        joined = np.concatenate([self._history, _samples(frame.pcm)])
        self._history = joined[-self._history.size :]
        return Frame(_pcm(np.convolve(joined, self._kernel, mode="valid")), frame.time)


class RoomLeveller:
    """The rumble taken out, then the sound raised by as much as the high-pass took out
    of the background (so a fan's rumble gone, the room's background sits where it was,
    and a voice above the rumble stands out of it), at most `max_gain_db`, never so far
    that a frame's peak passes CEILING_DBFS: the gain drops at once for a loud frame
    (the coach's own voice close by) and comes back slowly. A quiet room's hiss loses
    nothing to the high-pass, so it is not raised."""

    def __init__(self, cutoff: float = CUTOFF_HZ, max_gain_db: float = MAX_GAIN_DB) -> None:
        self.high_pass = HighPass(cutoff)
        self.max_gain_db = max_gain_db
        self._before: deque[float] = deque(maxlen=FLOOR_FRAMES)
        self._after: deque[float] = deque(maxlen=FLOOR_FRAMES)
        self.gain_db = 0.0
        """The gain applied to the latest frame."""

    def __call__(self, frame: Frame) -> Frame:
        self._before.append(_level(_samples(frame.pcm)))
        frame = self.high_pass(frame)
        samples = _samples(frame.pcm)
        self._after.append(_level(samples))
        if len(self._after) == FIRST_MEASURE_FRAMES:  # the first measure: straight there
            self.gain_db = self._wanted()
        elif len(self._after) > FIRST_MEASURE_FRAMES:  # then up slowly, down at once
            self.gain_db = min(self._wanted(), self.gain_db + RISE_DB_PER_FRAME)
        peak = float(np.max(np.abs(samples))) + 1.0
        self.gain_db = max(0.0, min(self.gain_db, CEILING_DBFS - 20 * math.log10(peak / 32768)))
        if self.gain_db < 0.05:
            return frame
        return Frame(_pcm(samples * 10 ** (self.gain_db / 20)), frame.time)

    def _wanted(self) -> float:
        """What the high-pass took out of the background (the quietest fifth of the last
        3 s, as the VAD measures it)."""
        lost = background_level(self._before) - background_level(self._after)
        return min(self.max_gain_db, max(0.0, lost))


def _level(samples: np.ndarray) -> float:
    return 10 * math.log10(float(np.mean(samples**2)) / 32768**2 + 1e-12)


class WebRtcLeveller:
    """WebRTC's automatic gain control and/or noise suppression, in 10 ms steps."""

    def __init__(self, gain: bool = True, suppress: bool = True) -> None:
        try:
            from livekit import rtc

            self._apm = rtc.AudioProcessingModule(
                noise_suppression=suppress, auto_gain_control=gain, high_pass_filter=True
            )
        except Exception as error:  # a broken install: listen without it
            raise LevellingUnavailable(f"levelling cannot start ({error})") from error
        self._rtc: Any = rtc

    def __call__(self, frame: Frame) -> Frame:
        out = bytearray()
        pcm = frame.pcm
        for start in range(0, len(pcm) - WEBRTC_STEP * 2 + 1, WEBRTC_STEP * 2):
            step = bytearray(pcm[start : start + WEBRTC_STEP * 2])
            audio = self._rtc.AudioFrame(step, SAMPLE_RATE, 1, WEBRTC_STEP)
            self._apm.process_stream(audio)
            out += bytes(audio.data.cast("B"))
        return Frame(bytes(out) + pcm[len(out) :], frame.time)


LEVELLINGS: dict[str, Callable[[], FrameFilter]] = {
    "room": RoomLeveller,
    "high-pass": HighPass,
    "webrtc": WebRtcLeveller,
    "webrtc-agc": lambda: WebRtcLeveller(suppress=False),
    "webrtc-ns": lambda: WebRtcLeveller(gain=False),
}
"""Every levelling measured, by name (scripts/eval_soft_voice.py --levelling NAME)."""
DEFAULT_LEVELLING = "room"


def open_levelling(notice: Callable[[str], None]) -> FrameFilter | None:
    """The default levelling for a live listener; None (said once to `notice`) when it
    cannot run here."""
    try:
        return LEVELLINGS[DEFAULT_LEVELLING]()
    except LevellingUnavailable as error:
        notice(f"{error}: a soft voice across the room may not be heard.")
        return None


def _samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype=np.int16).astype(np.float64)


def _pcm(samples: np.ndarray) -> bytes:
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16).tobytes()


WHISPER_PEAK_DBFS = -6.0
"""Where a sound's peak is raised to before Whisper hears it."""
WHISPER_MAX_GAIN_DB = 30.0
"""The most a sound is raised for Whisper."""


def raised_for_whisper(pcm: bytes) -> bytes:
    """A word-sized sound raised until its peak reaches WHISPER_PEAK_DBFS (at most
    WHISPER_MAX_GAIN_DB; never lowered). Whisper takes a soft word for no speech at all:
    on the espeak-ng tuning voices 10 dB softer, with reverb and a -50 dBFS fan, both
    recognisers together took 71% of stop/yes/no, and 94% with the sound raised."""
    samples = _samples(pcm)
    peak = float(np.max(np.abs(samples))) + 1.0 if samples.size else 1.0
    gain_db = min(WHISPER_MAX_GAIN_DB, WHISPER_PEAK_DBFS - 20 * math.log10(peak / 32767))
    return pcm if gain_db <= 0 else _pcm(samples * 10 ** (gain_db / 20))
