"""A room on paper: the coach's voice coming back into the microphone, and the echo
canceller fed as the live player and microphone feed it. Used by tests/test_echo.py and
scripts/bench_echo.py."""

from __future__ import annotations

import array
from collections.abc import Iterator

from voicecoach.audio.echo import EchoCanceller
from voicecoach.listening.frames import FRAME_SAMPLES, SAMPLE_RATE, Frame, noise, split_frames

SENTENCE = (
    "Lie on your back on a firm surface with your knees bent and your feet flat on the "
    "floor and let your whole back sink slowly into the floor while you breathe in"
)
"""What the coach says while the person speaks (about 9 s at 175 words a minute)."""
LEAD = 1.0
"""Seconds of quiet before the coach starts."""
TAIL = 1.5
"""Seconds of quiet after the coach ends."""
PLAYER_AHEAD = 1024
"""Samples the player writes ahead of what the microphone has caught (its buffer)."""
BLOCK_BYTES = 1024
"""The player's block (512 samples)."""


def room(
    coach: bytes, word: bytes, word_at: float, echo_db: float, delay: float = 0.06,
    tail: float = TAIL,
) -> bytes:  # fmt: skip
    """The microphone: the coach's voice back `echo_db` against the word and `delay` s
    late, the word at `word_at` s, and a hiss, `tail` s on after the coach."""
    far = array.array("h", coach)
    said = array.array("h", word)
    mic = array.array("h", noise(LEAD + len(far) / SAMPLE_RATE + tail, seed=5))
    gain = 10 ** (echo_db / 20)
    echo_start = int((LEAD + delay) * SAMPLE_RATE)
    word_start = int(word_at * SAMPLE_RATE)
    for i, sample in enumerate(far):
        if echo_start + i < len(mic):
            mic[echo_start + i] = _clip(mic[echo_start + i] + sample * gain)
    for i, sample in enumerate(said):
        mic[word_start + i] = _clip(mic[word_start + i] + sample)
    return mic.tobytes()


def cancelled(coach: bytes, mic: bytes) -> list[Frame]:
    """The microphone's frames through the canceller while the player plays `coach`,
    the two fed in step, as the player's and the microphone's threads do."""
    canceller = EchoCanceller()
    return [Frame(canceller.heard(frame.pcm), frame.time) for frame in _fed(coach, mic, canceller)]


def for_both_ears(coach: bytes, mic: bytes, tail: float = TAIL) -> list[tuple[Frame, bytes | None]]:
    """What the session hands the listener: each frame, with its echo-cancelled samples
    while the canceller is doing its job (else None)."""
    given: list[tuple[Frame, bytes | None]] = []
    canceller = EchoCanceller()
    on_frame = canceller.alongside(lambda frame, cleaned: given.append((frame, cleaned)))
    for frame in _fed(coach, mic, canceller, tail):
        on_frame(frame)
    return given


def _fed(coach: bytes, mic: bytes, canceller: EchoCanceller, tail: float = TAIL) -> Iterator[Frame]:
    """The microphone's frames, one at a time, each once the player's blocks ahead of it
    have gone to `canceller`, as live (it plays `tail` s of quiet after the coach)."""
    played = noise(LEAD) + coach + noise(tail)
    sent = 0
    for frame in split_frames(mic):
        until = (round(frame.time * SAMPLE_RATE) + FRAME_SAMPLES + PLAYER_AHEAD) * 2
        while sent < min(until, len(played)):
            canceller.played(played[sent : sent + BLOCK_BYTES], SAMPLE_RATE)
            sent += BLOCK_BYTES
        yield frame


def _clip(value: float) -> int:
    return max(-32768, min(32767, int(value)))
