"""A word said over the coach that neither recogniser could place: an unsure "stop".

With the coach's speaker in the microphone (a laptop), a word said over one of its
sentences reaches the microphone's own ear inside one long sound, and the canceller, in
double talk, trims it to a blip or mangles it: both recognisers misread it ("skip",
"repeat", a filler) or drop it as shorter than any command. But the echo-cancelled ear
still hears a sound there, and one the canceller left nearly whole: the coach's own voice
comes out of it far quieter than it went in, a word said over it only a few dB quieter.
Such a sound, word-sized, heard while the coach talks, is acted on as "stop" (silence,
then "Are you in pain?"): a false "stop" costs one question, a dropped "pain" is the one
failure this product must not have (DESIGN: when unsure, act).
"""

from __future__ import annotations

from collections import deque

from voicecoach.listening.recogniser import CLEANED_EAR, Report

FRAMES_KEPT = 300
"""Frames (30 ms) whose levels are remembered: longer than any command and its hangover."""
MIN_SECONDS = 0.15
"""The shortest sound taken for a word (the canceller trimmed "stop" to 0.18-0.24 s)."""
MAX_SECONDS = 1.2
"""The longest: a command's length (a longer sound is the person talking, not a word)."""
MIN_KEPT_DB = -12.0
"""How much of the microphone's sound the echo-cancelled ear must have kept, in dB (the
median over the sound's frames): a word said over the coach kept -1 to -7 dB (offline,
espeak-ng "stop"/"pain" over an instruction and the caution at -6 dB); what the canceller
leaves of the coach's own voice is far quieter against what it was given."""
PLACED = ("heard", "said again")
"""Outcomes of a sound a recogniser acted on as a command of its own."""


class BargeIn:
    """Feed every frame's levels in both ears; asks whether an echo-cancelled sound is a
    word said over the coach."""

    def __init__(self) -> None:
        self._levels: deque[tuple[float, float, float]] = deque(maxlen=FRAMES_KEPT)
        """(time, microphone dBFS, echo-cancelled dBFS) of the latest frames."""

    def feed(self, time: float, heard_db: float, cleaned_db: float) -> None:
        self._levels.append((time, heard_db, cleaned_db))

    def kept_db(self, start: float, end: float) -> float | None:
        """The median, over the frames from `start` to `end`, of how many dB of the
        microphone's sound the echo-cancelled ear kept; None without such frames."""
        kept = sorted(c - h for t, h, c in self._levels if start - 0.001 <= t < end)
        return kept[len(kept) // 2] if kept else None

    def is_word(self, report: Report) -> bool:
        """Whether `report`, a sound of the echo-cancelled ear not acted on, is word-sized
        and mostly kept by the canceller (so not its leftovers of the coach's voice)."""
        if report.ear != CLEANED_EAR or report.outcome in PLACED:
            return False
        if not MIN_SECONDS <= report.speech_end - report.speech_start <= MAX_SECONDS:
            return False
        kept = self.kept_db(report.speech_start, report.speech_end)
        return kept is not None and kept >= MIN_KEPT_DB
