"""Frames in, commands out: VAD -> engine -> whole-utterance rule -> self-hearing gate.

Self-hearing strategy (the coach says "say stop to pause" out loud, and the microphone
hears it):
1. Whole-utterance rule: a command counts only when it is the whole utterance, a short
   stretch of speech with quiet before and after. The VAD drops anything longer than
   any command, and the grammar only accepts exactly one phrase, so a command word
   inside a sentence ("say stop to pause") never fires. The coach's lines never say a
   command word on its own, which the self-hearing test checks for a whole script.
2. Gate on what the speaker is playing (live only): while the coach is talking (and for
   `echo_tail` seconds after), a command whose exact phrase is in the line being played
   is ignored: it may be the coach's own voice ("Ten." while counting, "If it hurts,
   say pain."). "stop" and "pain" stay armed while the coach speaks every other line,
   and "pain", "ouch" and "it hurts" back each other up: a line that says "if it
   hurts" still lets "pain" through.
3. Quiet before: a command must follow at least `VadSettings.min_quiet_before` of quiet,
   longer than the pause at a comma inside the coach's sentence.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from voicecoach.listening.engine import Decoded, Engine
from voicecoach.listening.frames import Frame
from voicecoach.listening.vad import Utterance, UtteranceDetector, VadSettings
from voicecoach.ports import URGENT_COMMANDS, Heard

NowPlaying = Callable[[], "tuple[str, float] | None"]
"""speaker.now_playing: (text, monotonic start) of what is playing, or None."""
LastPlayed = Callable[[], "tuple[str, float, float] | None"]
"""speaker.last_played: (text, monotonic start, monotonic end) of the last line."""


@dataclass(frozen=True)
class Detection:
    """A command the recogniser accepted, with when and from what."""

    heard: Heard
    """What goes to the inbox."""
    at: float
    """Stream time when it was decided (end of the VAD hangover)."""
    utterance: Utterance
    """The audio it was decoded from."""


@dataclass(frozen=True)
class SelfHearingGate:
    """While the coach speaks, lets through only "stop" and "pain" not in its own line."""

    now_playing: NowPlaying
    """What the speaker is playing now."""
    last_played: LastPlayed | None = None
    """What it played last, to cover the echo just after a line ends."""
    echo_tail: float = 0.5
    """Seconds after a line ends during which it still counts as playing."""
    clock: Callable[[], float] = time.monotonic
    """The clock the speaker's times come from."""

    def allows(self, decoded: Decoded) -> bool:
        """While the coach speaks only "stop" and "pain" are heard (barge-in), and not
        when the line playing says that very word: its counts ("fifteen" can decode
        as "repeat") and its help ("you can say next...") must never be obeyed."""
        phrase = decoded.phrase
        if phrase is None:
            return True
        playing = self._lines_playing()
        if not playing:
            return True
        if phrase.command not in URGENT_COMMANDS or any(_is_count(line) for line in playing):
            return False  # a count lasts half a second; "thirteen" decoded as "stop"
        return not any(_says(line, phrase.text) for line in playing)

    def _lines_playing(self) -> list[str]:
        lines = []
        playing = self.now_playing()
        if playing is not None:
            lines.append(playing[0])
        last = self.last_played() if self.last_played is not None else None
        if last is not None and self.clock() - last[2] <= self.echo_tail:
            lines.append(last[0])
        return lines


def _is_count(line: str) -> bool:
    return line.strip().isdigit()


def _says(line: str, phrase: str) -> bool:
    words = "".join(c if c.isalnum() else " " for c in line.lower()).split()
    target = phrase.split()
    return any(words[i : i + len(target)] == target for i in range(len(words)))


class Recogniser:
    """Feed frames in order; get a Detection when a command was said."""

    def __init__(
        self,
        engine: Engine,
        vad: VadSettings | None = None,
        gate: SelfHearingGate | None = None,
    ) -> None:
        self.engine = engine
        self.detector = UtteranceDetector(vad or VadSettings())
        self.gate = gate
        self.decode_seconds = 0.0
        """Processor time spent decoding, for the CPU benchmark."""

    def feed(self, frame: Frame) -> Detection | None:
        utterance = self.detector.feed(frame)
        if utterance is None:
            return None
        started = time.process_time()
        decoded = self.engine.decode(utterance.pcm)
        self.decode_seconds += time.process_time() - started
        if decoded.phrase is None or (self.gate is not None and not self.gate.allows(decoded)):
            return None
        phrase = decoded.phrase
        heard = Heard(
            phrase.command,
            source="voice",
            score=phrase.score,
            text=decoded.text,
            confidence=decoded.confidence,
        )
        return Detection(heard, utterance.detected_at, utterance)

    def run(self, frames: Iterable[Frame]) -> Iterator[Detection]:
        for frame in frames:
            detection = self.feed(frame)
            if detection is not None:
                yield detection
