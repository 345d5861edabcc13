"""One enrolment take: the word cut out of the microphone's frames, and checked.

The same voice-activity detector as a session cuts the word, so a take holds what the
recogniser will be given later. A take is refused, with the reason said to the person,
when it is too quiet to learn from, clipped (the microphone overloaded), longer than any
command, or when no word was heard at all.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass

from voicecoach.listening.frames import Frame
from voicecoach.listening.vad import TOO_LONG, UtteranceDetector, VadSettings, level_dbfs

TOO_QUIET_DBFS = -35.0
"""The loudest 30 ms of a take below this: too quiet to learn from. The detector hears
a word from about -37 dBFS (espeak-ng "stop" made quieter); a word said at conversation
level a metre away peaks around -25 dBFS."""
CLIPPED_SAMPLE = 32000
CLIPPED_FRACTION = 0.002
"""More than this share of samples at full scale: the microphone overloaded."""
TAKE_VAD = VadSettings(min_quiet_before=0.0)
"""As in a session, except that a word said soon after the prompt is still taken."""


@dataclass(frozen=True)
class Take:
    """What came of listening for one take."""

    pcm: bytes | None
    """The word with a little quiet around it, when the take is good."""
    problem: str | None
    """Why it was refused ("too quiet", "clipped", "too long", "no speech"), or None."""


def cut_take(frames: Iterable[Frame], vad: VadSettings = TAKE_VAD) -> Take:
    """The first word in `frames`, checked; stops reading at the end of that word."""
    detector = UtteranceDetector(vad)
    dropped: list[str] = []
    detector.on_dropped = lambda _start, _end, why: dropped.append(why)
    for frame in frames:
        utterance = detector.feed(frame)
        if utterance is not None:
            why = problem(utterance.pcm)
            return Take(None if why else utterance.pcm, why)
        if TOO_LONG in dropped:
            return Take(None, "too long")
    return Take(None, "no speech")


def problem(pcm: bytes) -> str | None:
    """Why a cut word is no good as a take, or None."""
    count = len(pcm) // 2
    samples = struct.unpack(f"<{count}h", pcm[: count * 2])
    if sum(1 for s in samples if abs(s) >= CLIPPED_SAMPLE) > CLIPPED_FRACTION * count:
        return "clipped"
    frame = 480 * 2
    loudest = max(level_dbfs(pcm[i : i + frame]) for i in range(0, len(pcm), frame))
    return "too quiet" if loudest < TOO_QUIET_DBFS else None
