"""How much of a sound is voiced like a person: a pitch a human voice has, held.

A spoken word has a vowel: the vocal folds beat at 70 to 400 times a second, so the
sound repeats itself at that period for a tenth of a second or more. Dishes knocked
together ring at thousands of hertz and die away; running water never repeats; a cat's
miaow is pitched far above a person's voice. This measures, in 40 ms frames of the sound
low-passed below 1 kHz, how long the sound repeats at a human period (a plain
autocorrelation pitch tracker; the smallest strong period is taken, so a note at 600 Hz
is not mistaken for its own subharmonic at 300 Hz).
"""

from __future__ import annotations

import numpy as np

from voicecoach.listening.frames import SAMPLE_RATE
from voicecoach.listening.levelling import low_pass_kernel

FRAME_SECONDS = 0.04
HOP_SECONDS = 0.01
LOWEST_PITCH = 70.0
"""Hz: a deep man's voice."""
HIGHEST_PITCH = 400.0
"""Hz: a child's voice, or a voice raised in pain."""
SHORTEST_PERIOD = 1.0 / 1000
"""Periods down to this are looked for (notes above a voice's pitch)."""
REPEATS = 0.6
"""Normalised autocorrelation at which a frame repeats itself."""
MIN_VOICED = 0.03
"""Seconds of a sound voiced at a human pitch under which it holds no vowel: a fast
"stop" Whisper heard no words in and the word head heard no "stop" in is then withdrawn
(second_opinion.py), and a short sound heard as no command is no word before another
(recogniser.py). On the generated tuning set (scripts/tune_false_commands.py) 203 of the
360 synthetic noises are under it and no
"stop" in which Whisper heard no words is (it heard every one); of the human takes' "stop"s
Whisper heard no words in, one is under it too, and the head heard it as "stop" (0.99):
under it, the head must be that sure (SURE_STOP) to keep a fast "stop"."""
QUIET_BELOW = 30.0
"""dB under the sound's loudest frame at which a frame is too quiet to judge."""


def voiced_seconds(pcm: bytes) -> float:
    """Seconds of `pcm` (16 kHz mono int16) that repeat at a human voice's pitch."""
    audio = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    low = _low_passed(audio)
    frame, hop = int(FRAME_SECONDS * SAMPLE_RATE), int(HOP_SECONDS * SAMPLE_RATE)
    if len(low) < frame:
        return 0.0
    frames = np.lib.stride_tricks.sliding_window_view(low, frame)[::hop]
    energy = (frames**2).sum(axis=1)
    loud = energy > energy.max() * 10 ** (-QUIET_BELOW / 10)
    voiced = sum(_human_period(f) for f, keep in zip(frames, loud, strict=True) if keep)
    return voiced * HOP_SECONDS


def _low_passed(audio: np.ndarray) -> np.ndarray:
    """Below about 1 kHz (a windowed-sinc filter), where a voice's pitch shows."""
    return np.convolve(audio - audio.mean(), low_pass_kernel(1000.0, 129), mode="same")


def _human_period(frame: np.ndarray) -> bool:
    """Whether the frame repeats itself at a period a human voice has."""
    frame = frame - frame.mean()
    spectrum = np.fft.rfft(frame, 2 * len(frame))
    correlation = np.fft.irfft(np.abs(spectrum) ** 2)[: len(frame)]
    if correlation[0] <= 0:
        return False
    shortest = int(SHORTEST_PERIOD * SAMPLE_RATE)
    longest = int(SAMPLE_RATE / LOWEST_PITCH)
    # normalised for the overlap shrinking with the lag
    lags = np.arange(shortest, longest + 1)
    normalised = correlation[lags] / correlation[0] * len(frame) / (len(frame) - lags)
    best = normalised.max()
    if best < REPEATS:
        return False
    period = lags[int(np.argmax(normalised >= 0.9 * best))]  # the smallest strong period
    return bool(period >= SAMPLE_RATE / HIGHEST_PITCH)
