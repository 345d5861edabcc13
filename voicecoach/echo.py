"""Taking the coach's own voice out of what the microphone hears (echo cancellation).

On a laptop the microphone hears the speaker about as loud as the person on the floor.
Without this, a "stop" said while the coach talks is buried in the coach's sentence: the
voice-activity detector hears one long stretch of speech and drops it whole, so the
coach cannot be interrupted (measured: "stop" said 1.5 s into a sentence echoed 6 dB
under the person's voice was missed 2 times of 2; see scripts/bench_voice_end_to_end.py
--echo-db).

The canceller is WebRTC's AEC3, in-process and offline, through livekit's
AudioProcessingModule (an adaptive filter with delay estimation and residual echo
suppression: far better than one we would write). It is given every block the player
writes (the far end) and every microphone frame (the near end), both at 16 kHz.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from voicecoach.listening.frames import Frame

RATE = 16000
"""The rate the canceller works at: the microphone's."""
STEP = RATE // 100
"""Samples per 10 ms, the only frame length the canceller takes."""
DELAY_MS = 60
"""A first guess at the time from a block written to its echo read back (output and
input buffering); the canceller finds the real delay itself, this only starts it off."""


class EchoUnavailable(RuntimeError):
    """The canceller cannot run here; the message is one line for the user."""


class EchoCanceller:
    """Feed it what is played (`played`) and what is heard (`heard`); safe across the
    player's and the microphone's threads."""

    def __init__(
        self, delay_ms: int = DELAY_MS, on_failed: Callable[[str], None] | None = None
    ) -> None:
        try:
            from livekit import rtc

            self._apm = rtc.AudioProcessingModule(echo_cancellation=True)
        except Exception as error:  # a broken install: listen without it
            raise EchoUnavailable(f"echo cancellation cannot start ({error})") from error
        self._rtc = rtc
        self._on_failed = on_failed
        self.failed: str | None = None
        """Why the canceller stopped, if it failed mid-session (the player and the
        microphone then carry on without it)."""
        self._delay_ms = delay_ms
        self._lock = threading.Lock()
        self._resamplers: dict[int, Any] = {}
        self._far = bytearray()
        """Far-end samples at RATE not yet handed over (less than 10 ms)."""

    def played(self, pcm: bytes, rate: int) -> None:
        """One block the player has just written (16-bit mono at `rate`); never raises,
        so a failing canceller cannot stop the coach's voice."""
        if self.failed is not None:
            return
        try:
            with self._lock:
                self._far += self._to_rate(pcm, rate)
                while len(self._far) >= STEP * 2:
                    frame = self._frame(bytes(self._far[: STEP * 2]))
                    del self._far[: STEP * 2]
                    self._apm.process_reverse_stream(frame)
        except Exception as error:
            self._fail(error)

    def heard(self, pcm: bytes) -> bytes:
        """One microphone block (16-bit mono at RATE, a whole number of 10 ms steps):
        the same block with the coach's echo taken out."""
        out = bytearray()
        with self._lock:
            for start in range(0, len(pcm) - STEP * 2 + 1, STEP * 2):
                frame = self._frame(pcm[start : start + STEP * 2])
                self._apm.set_stream_delay_ms(self._delay_ms)
                self._apm.process_stream(frame)
                out += bytes(frame.data.cast("B"))
        return bytes(out) + pcm[len(out) :]

    def alongside(self, on_frame: Callable[[Any, bytes | None], None]) -> Callable[[Any], None]:
        """An `on_frame` for the microphone that hands `on_frame` each frame together
        with its samples with the echo taken out (the listener hears both)."""

        def both(frame: Frame) -> None:
            if self.failed is None:
                try:
                    on_frame(frame, self.heard(frame.pcm))
                    return
                except Exception as error:  # listen on with the first ear alone
                    self._fail(error)
            on_frame(frame, None)

        return both

    def _fail(self, error: BaseException) -> None:
        if self.failed is None:
            self.failed = f"echo cancellation stopped ({error})"
            if self._on_failed is not None:
                self._on_failed(self.failed)

    def _frame(self, pcm: bytes) -> Any:
        return self._rtc.AudioFrame(bytearray(pcm), RATE, 1, len(pcm) // 2)

    def _to_rate(self, pcm: bytes, rate: int) -> bytes:
        if rate == RATE:
            return pcm
        resampler = self._resamplers.get(rate)
        if resampler is None:
            resampler = self._rtc.AudioResampler(rate, RATE, num_channels=1)
            self._resamplers[rate] = resampler
        frame = self._rtc.AudioFrame(pcm, rate, 1, len(pcm) // 2)
        return b"".join(bytes(f.data.cast("B")) for f in resampler.push(frame))
