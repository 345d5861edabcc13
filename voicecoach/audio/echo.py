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

Its audio is only handed on while it is doing its job: while the coach talks, once it
has learnt the echo (over 3 s of the coach talking, it took out MIN_ECHO_REMOVED_DB).
Before that, its leftovers of the coach's voice can sound like a word: with the
microphone hearing the speaker at full level, one run of `gentle` in three paused
itself on a "stop" made of the coach's own voice. With no echo at all (headphones) it
never learns one, and would only mangle words said over the coach. Once learnt, it
stays learnt: a word said over the coach passes through it and would otherwise look,
for as long as the word lasts, like echo it failed to take out.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from voicecoach.listening.frames import Frame, mean_square

RATE = 16000
"""The rate the canceller works at: the microphone's."""
STEP = RATE // 100
"""Samples per 10 ms, the only frame length the canceller takes."""
DELAY_MS = 60
"""A first guess at the time from a block written to its echo read back (output and
input buffering); the canceller finds the real delay itself, this only starts it off."""
MIN_ECHO_REMOVED_DB = 12.0
"""How much quieter the microphone's audio must come out, while the coach talks, for the
canceller's audio to be handed on (learnt: 30 to 50 dB; nothing to learn: about 0)."""
TALKING_LEVEL = 300.0
"""RMS of a played 10 ms step above which the coach is talking (its voice peaks near
10,000; the player's silence is 0)."""
TALK_TAIL_STEPS = 50
"""10 ms steps after the coach's last loud step still counted as talking (its echo)."""
HAND_ON_TAIL_STEPS = 150
"""10 ms steps after the coach's last loud step during which, once learnt, the canceller's
audio is still handed on. Counted as the player writes, ahead of the sound reaching the
microphone by the output's and the microphone's latency; a word said as a count began
runs past the count's end, and the echo-cancelled ear needs it whole, with the quiet after
it (cut off mid-word, that ear starts over and loses it)."""
ECHO_LEVEL = 60.0
"""RMS of a microphone step below which it holds no echo worth judging by (a quiet room;
the canceller also damps a hiss, which is not learning an echo)."""
WINDOW_STEPS = 300
"""The last this many loud steps while the coach talked (3 s) judge how much echo is
taken out."""
MIN_WINDOW_STEPS = 100
"""Such steps needed before the canceller is judged at all (1 s)."""


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
        self._quiet_steps = TALK_TAIL_STEPS
        """Played 10 ms steps since the coach last talked."""
        self._powers: deque[tuple[float, float]] = deque(maxlen=WINDOW_STEPS)
        """(in, out) power of the microphone's latest loud steps while the coach talked,
        kept until the canceller has learnt."""
        self._learnt = False
        """It has taken out MIN_ECHO_REMOVED_DB of the coach's echo."""

    def played(self, pcm: bytes, rate: int) -> None:
        """One block the player has just written (16-bit mono at `rate`); never raises,
        so a failing canceller cannot stop the coach's voice."""
        if self.failed is not None:
            return
        try:
            with self._lock:
                self._far += self._to_rate(pcm, rate)
                while len(self._far) >= STEP * 2:
                    step = bytes(self._far[: STEP * 2])
                    del self._far[: STEP * 2]
                    loud = mean_square(step) > TALKING_LEVEL**2
                    self._quiet_steps = 0 if loud else self._quiet_steps + 1
                    self._apm.process_reverse_stream(self._frame(step))
        except Exception as error:
            self._fail(error)

    def heard(self, pcm: bytes) -> bytes:
        """One microphone block (16-bit mono at RATE, a whole number of 10 ms steps):
        the same block with the coach's echo taken out."""
        out = bytearray()
        with self._lock:
            for start in range(0, len(pcm) - STEP * 2 + 1, STEP * 2):
                step = pcm[start : start + STEP * 2]
                frame = self._frame(step)
                self._apm.set_stream_delay_ms(self._delay_ms)
                self._apm.process_stream(frame)
                cleaned = bytes(frame.data.cast("B"))
                if not self._learnt and self._quiet_steps < TALK_TAIL_STEPS:
                    self._judge(step, cleaned)
                out += cleaned
        return bytes(out) + pcm[len(out) :]

    def _judge(self, step: bytes, cleaned: bytes) -> None:
        """Learning: keep a loud step heard while the coach talks, and what was left of it."""
        heard = mean_square(step)
        if heard > ECHO_LEVEL**2:
            self._powers.append((heard, mean_square(cleaned)))

    @property
    def doing_its_job(self) -> bool:
        """The coach is talking, and the canceller has learnt to take its echo out."""
        with self._lock:
            if not self._learnt and len(self._powers) >= MIN_WINDOW_STEPS:
                heard = sum(p[0] for p in self._powers)
                left = sum(p[1] for p in self._powers)
                guard = 1.0 / STEP  # one unit of energy over a step
                removed = 10 * math.log10((heard + guard) / (left + guard))
                self._learnt = removed >= MIN_ECHO_REMOVED_DB
            return self._learnt and self._quiet_steps < HAND_ON_TAIL_STEPS

    def alongside(self, on_frame: Callable[[Frame, bytes | None], None]) -> Callable[[Frame], None]:
        """An `on_frame` for the microphone that hands `on_frame` each frame together
        with its samples with the echo taken out (the listener hears both), or with None
        while the canceller is not doing its job (the first ear alone then)."""

        def both(frame: Frame) -> None:
            if self.failed is None:
                try:
                    cleaned = self.heard(frame.pcm)
                    on_frame(frame, cleaned if self.doing_its_job else None)
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
