"""Voice-activity detection: cuts a stream of frames into short utterances.

PocketSphinx 5 ships WebRTC's voice-activity detector (`pocketsphinx.Vad`), so no
extra dependency is needed. A frame counts as speech only when that detector says so
AND it is louder than a minimum level, which keeps steady hiss from starting utterances,
AND it stands out from the background (the level of the quietest frames of the last few
seconds): that detector takes a steady hum for speech, so without this a word said over a
fan never ended.
An utterance ends after a short run of non-speech frames (the hangover), so a command
can be decoded a fraction of a second after the word ends rather than after a long
silence. Utterances longer than any command are dropped whole: a sentence never gets
decoded piecemeal, so a command word inside a sentence cannot fire. One exception: a
long sound that holds one loud word, the rest of it much quieter (a noise that began
just before the word, a room's echo after it), is cut to that word (`_core`); a phrase's
words are about as loud as each other, so it is still dropped.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from voicecoach.listening.frames import FRAME_SAMPLES, FRAME_SECONDS, Frame, mean_square


def background_level(levels: Collection[float]) -> float:
    """The background's level (dBFS) among frames' `levels`: what the quietest fifth of
    them reach (the pauses between words included). The VAD, the levelling and doctor all
    judge a room's background so."""
    return sorted(levels)[len(levels) // 5]


@dataclass(frozen=True)
class VadSettings:
    """How utterances are found in the stream."""

    mode: int = 2
    """WebRTC VAD aggressiveness, 0 (loose) to 3 (strict)."""
    min_level_dbfs: float = -55.0
    """Frames quieter than this (RMS, dB below full scale) are never speech."""
    start_frames: int = 2
    """Speech frames among the last `start_window` that start an utterance."""
    start_window: int = 3
    """Frames looked at to decide that speech started."""
    hangover_frames: int = 7
    """Consecutive non-speech frames that end an utterance (7 x 30 ms = 210 ms)."""
    preroll_frames: int = 10
    """Frames kept from before the start, so the decoder hears the word's onset."""
    max_speech_seconds: float = 1.2
    """Longer than any command: such an utterance is dropped whole (a sentence), unless
    its loud core is one word (see `core_within_db`)."""
    core_within_db: float = 20.0
    """A sound longer than a command whose speech frames this near its loudest one span
    no longer than a command is that core, a word: the rest was a steady noise that
    began just before it, or the room's echo after it (a soft word across a room: its
    reverberation and a noise 20 dB under it made one 1.3 s sound of a 0.4 s "stop"). A
    sentence's words are all about as loud, so its core is the sentence."""
    core_gap_seconds: float = 0.15
    """Quiet inside a core shorter than this is within a word (the closure before a "p"
    or "t"); longer, it is between two words, and the sound is a phrase, not a command
    (a 1.5 s recording of "... five" gave a false pain score so)."""
    word_within_db: float = 10.0
    """A burst of the core whose peak is this near the loudest is a word; a quieter one
    is the noise around it (a recording's hiss 18 dB under its "no"). Two words: a phrase."""
    max_sound_seconds: float = 2.5
    """Longer than this, a sound is dropped without looking for a core (and not kept)."""
    min_quiet_before: float = 0.45
    """Seconds of quiet needed before an utterance for it to count: a command is said on
    its own, while a pause at a comma inside a sentence is shorter than this."""
    min_speech_seconds: float = 0.12
    """Shorter than any command: a click or a knock."""
    floor_margin_db: float = 3.0
    """Inside an utterance, a frame within this many dB of the background level counts
    as quiet even when the WebRTC detector calls it speech: in loud low-pitched noise
    that detector hears speech long after the word ended, which delayed commands."""
    floor_frames: int = 100
    """Frames the background level is estimated over (3 s)."""


@dataclass(frozen=True)
class Utterance:
    """A stretch of speech with a little quiet around it, ready to decode."""

    pcm: bytes
    """16 kHz mono int16 samples, from the pre-roll to the end of the hangover."""
    speech_start: float
    """Time the first speech frame began."""
    speech_end: float
    """Time the last speech frame ended."""
    detected_at: float
    """Stream time when the utterance was complete (end of the last hangover frame)."""
    sound: tuple[float, float] | None = None
    """When it is the loud core of a longer sound (VadSettings.core_within_db): that
    sound's start and end; else None."""

    @property
    def speech_seconds(self) -> float:
        return self.speech_end - self.speech_start


def level_dbfs(pcm: bytes) -> float:
    return 10 * math.log10(mean_square(pcm) / (32768.0 * 32768.0) + 1e-12)


TOO_LONG = "longer than any command"
TOO_SHORT = "shorter than any command"
TOO_SOON = "too soon after other sound"
"""Why the detector drops a sound (told to on_dropped): a sentence, a click, a word inside
a sentence."""

_Kept = tuple[Frame, float | None]
"""A frame of a sound, with its level (dBFS) when it counted as speech, else None."""

_FLOOR_MIN_FRAMES = 10
"""Frames of background needed before it is trusted (0.3 s)."""


class UtteranceDetector:
    """Feed frames in order; get back each finished utterance (or None)."""

    def __init__(self, settings: VadSettings = VadSettings()) -> None:
        import pocketsphinx  # the WebRTC VAD bundled with it

        self.settings = settings
        self._vad = pocketsphinx.Vad(settings.mode, 16000, FRAME_SECONDS)
        if self._vad.frame_bytes != FRAME_SAMPLES * 2:
            raise RuntimeError("unexpected VAD frame size")
        self._history: deque[bool] = deque(maxlen=settings.start_window)
        self._preroll: deque[_Kept] = deque(maxlen=settings.preroll_frames)
        self._frames: list[_Kept] = []
        """The frames of the sound in progress (with its pre-roll)."""
        self._in_speech = False
        self._too_long = False
        self._speech_start = 0.0
        self._speech_end = 0.0
        self._quiet_run = 0
        self._last_speech_end = float("-inf")
        self._speech_end_before = float("-inf")
        """The end of the sound before the latest one (not_a_word puts it back)."""
        self._levels: deque[float] = deque(maxlen=settings.floor_frames)
        """Levels (dBFS) of the latest frames, for the background level."""
        self.on_dropped: Callable[[float, float, str], None] | None = None
        """Told (speech start, speech end, why) of each stretch of sound not passed on."""

    @property
    def in_speech(self) -> bool:
        return self._in_speech

    @property
    def sound_began(self) -> float | None:
        """When the sound in progress began, or None between sounds."""
        return self._speech_start if self._in_speech else None

    def feed(self, frame: Frame) -> Utterance | None:
        level = level_dbfs(frame.pcm)
        speech = self._is_speech(frame, level)
        self._levels.append(level)
        if not self._in_speech:
            self._wait_for_start(frame, speech, level)
            return None
        return self._continue(frame, speech, level)

    def _is_speech(self, frame: Frame, level: float) -> bool:
        if level < self.settings.min_level_dbfs or self._at_background(level):
            return False
        return bool(self._vad.is_speech(frame.pcm))

    def _at_background(self, level: float) -> bool:
        """The frame is no louder than the background: the level that the quietest
        fifth of the last few seconds' frames reach (pauses between words included)."""
        if len(self._levels) < _FLOOR_MIN_FRAMES:
            return False
        return level < background_level(self._levels) + self.settings.floor_margin_db

    def _wait_for_start(self, frame: Frame, speech: bool, level: float) -> None:
        self._history.append(speech)
        self._preroll.append((frame, level if speech else None))
        if sum(self._history) < self.settings.start_frames:
            return
        first_speech = len(self._history) - list(self._history).index(True)
        self._in_speech = True
        self._too_long = False
        self._frames = list(self._preroll)
        self._speech_start = self._frames[-first_speech][0].time
        self._speech_end = frame.end
        self._quiet_run = 0
        self._preroll.clear()
        self._history.clear()

    def _continue(self, frame: Frame, speech: bool, level: float) -> Utterance | None:
        if self._frames:
            self._frames.append((frame, level if speech else None))
        if speech:
            self._speech_end = frame.end
            self._quiet_run = 0
            seconds = self._speech_end - self._speech_start
            self._too_long = seconds > self.settings.max_speech_seconds
            if seconds > self.settings.max_sound_seconds:
                self._frames = []  # a sentence: wait for the quiet after it
            return None
        self._quiet_run += 1
        if self._quiet_run < self.settings.hangover_frames:
            return None
        return self._finish(frame)

    def _finish(self, frame: Frame) -> Utterance | None:
        self._in_speech = False
        frames, self._frames = self._frames, []
        self._preroll.extend((f, None) for f, _ in frames[-self.settings.preroll_frames :])
        speech_seconds = self._speech_end - self._speech_start
        quiet_before = self._speech_start - self._last_speech_end
        if speech_seconds >= self.settings.min_speech_seconds:
            self._speech_end_before = self._last_speech_end
            self._last_speech_end = self._speech_end  # a click is not speech before a word
        word = self._one_word(frames) if self._too_long and frames else None
        reason = self._drop_reason(speech_seconds, quiet_before, word)
        if reason is not None:
            if self.on_dropped is not None:
                self.on_dropped(self._speech_start, self._speech_end, reason)
            return None
        if word is not None:
            return self._core(frames, word, frame)
        pcm = b"".join(f.pcm for f, _ in frames)
        return Utterance(pcm, self._speech_start, self._speech_end, frame.end)

    def _drop_reason(
        self, speech_seconds: float, quiet_before: float, word: tuple[int, int] | None
    ) -> str | None:
        """Why the sound is dropped, or None; `word`: the one word of a sound longer than a
        command (`_one_word`), which is then judged as that word."""
        if self._too_long and word is None:
            return TOO_LONG
        if speech_seconds < self.settings.min_speech_seconds:
            return TOO_SHORT
        if quiet_before < self.settings.min_quiet_before:
            return TOO_SOON  # part of a sentence
        return None

    def _core(self, frames: list[_Kept], word: tuple[int, int], last: Frame) -> Utterance:
        """The loud core of a sound longer than a command (its one word, `_one_word`), as
        the utterance, with the sound's start and end."""
        first, final = word
        before, after = self.settings.preroll_frames, self.settings.hangover_frames
        pcm = b"".join(f.pcm for f, _ in frames[max(0, first - before) : final + 1 + after])
        sound = (self._speech_start, self._speech_end)
        return Utterance(pcm, frames[first][0].time, frames[final][0].end, last.end, sound)

    def _one_word(self, frames: list[_Kept]) -> tuple[int, int] | None:
        """The first and last frame of the one word in a sound: its speech frames within
        `core_within_db` of the loudest, gaps under `core_gap_seconds` bridged, make
        bursts; a burst as long as a command and peaking within `word_within_db` of the
        loudest is a word. None when there are several words (a phrase), or the word is
        longer than a command."""
        levels = [level for _, level in frames if level is not None]
        if not levels:
            return None
        loudest = max(levels)
        floor = loudest - self.settings.core_within_db
        near = {
            i: level for i, (_, level) in enumerate(frames) if level is not None and level >= floor
        }
        indices = list(near)
        bursts = [[indices[0], indices[0]]]
        for index in indices[1:]:
            gap = frames[index][0].time - frames[bursts[-1][1]][0].end
            if gap < self.settings.core_gap_seconds:
                bursts[-1][1] = index
            else:
                bursts.append([index, index])
        words = [
            (first, final) for first, final in bursts
            if self._seconds(frames, first, final) >= self.settings.min_speech_seconds
            and max(level for i, level in near.items() if first <= i <= final)
            >= loudest - self.settings.word_within_db
        ]  # fmt: skip
        if len(words) != 1:
            return None
        first, final = words[0]
        too_long = self._seconds(frames, first, final) > self.settings.max_speech_seconds
        return None if too_long else (first, final)

    @staticmethod
    def _seconds(frames: list[_Kept], first: int, final: int) -> float:
        return frames[final][0].end - frames[first][0].time

    def not_a_word(self) -> None:
        """The utterance just passed on held no word (the decoder heard none, or it was
        short and held no voice: recogniser._held_no_word): the next one is not too soon
        after it. A knock, a breath or a bump on the floor just before
        "stop" is not a sentence the word is part of."""
        self._last_speech_end = self._speech_end_before

    def utterances(self, frames: Iterator[Frame]) -> Iterator[Utterance]:
        for frame in frames:
            utterance = self.feed(frame)
            if utterance is not None:
                yield utterance
