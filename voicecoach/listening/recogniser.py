"""Frames in, commands out: VAD -> engine -> whole-utterance rule -> self-hearing gate.

Self-hearing strategy (the coach says "say stop to pause" out loud, and the microphone
hears it):
1. Whole-utterance rule: a command counts only when it is the whole utterance, a short
   stretch of speech with quiet before and after. The VAD drops anything longer than
   any command, and the grammar only accepts exactly one phrase, so a command word
   inside a sentence ("say stop to pause") never fires. The coach's lines never say a
   command word on its own, which the self-hearing test checks for a whole script.
2. Gate on what the speaker is playing (live only): while the coach is talking (and for
   `echo_tail` seconds after), only "stop" and "pain" are taken (barge-in); the rest may
   be the coach's own voice ("Ten." while counting, "you can say next"). "stop" and
   "pain" are never dropped for the coach merely talking (a dropped "pain" is the one
   failure this product must not have; a false "stop" costs a question). They are
   suspected only where the sound may be the coach saying that very word: it began as a
   count began ("thirteen" decodes as "stop"), or the line says the word ("...never push
   into sharp pain"), and the audio holds the coach's voice. Such a word is left to the
   echo-cancelled ear (the person without the coach: listener._Ears); where the
   microphone does not hear the coach at all (headphones; echo_presence.py) nothing is
   suspected.
3. Quiet before: a command must follow at least `VadSettings.min_quiet_before` of quiet,
   longer than the pause at a comma inside the coach's sentence.
4. Echo cancellation (live, echo.py): the coach's voice is taken out of a second copy of
   the microphone's audio, so a word said over the coach is a sound of its own there
   (the listener's two ears: listener.py).
The gate judges by when the utterance BEGAN, not when it was decided: a word that
began in quiet cannot have been set off by the coach's voice, even if the coach's next
count starts while the word is still being decoded.

Expected words: only what the session can take now counts (`expected`, from the
Inbox): "yes", "no" and the numbers only while a question asks for them, and while a
question waits, only its answers and "stop", "pain", "repeat" and "help". The grammar
keeps every phrase, so a word not expected now still competes and is then dropped:
taken out of the grammar instead, the numbers no longer soaked up noise (false
commands from the human noise recordings went from 6 to 20 in 5.7 minutes).

Said again: a command phrase that scored a little too low (a near miss) is ignored, but
the same phrase again within SAID_AGAIN_WITHIN seconds is taken. A person whose "next"
was not acted on says it again; one score is a noisy draw (it swings with where the word
falls against the decoder's 10 ms frames), two near misses of one phrase in a row are not.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from voicecoach.core.ports import URGENT_COMMANDS, Command, Heard
from voicecoach.listening.engine import Decoded, Engine
from voicecoach.listening.frames import Frame, SilenceDither
from voicecoach.listening.vad import TOO_LONG, Utterance, UtteranceDetector, VadSettings
from voicecoach.listening.vocabulary import BY_TEXT, Phrase
from voicecoach.listening.voicing import MIN_VOICED, voiced_seconds

NowPlaying = Callable[[], "tuple[str, float] | None"]
"""speaker.now_playing: (text, monotonic start) of what is playing, or None."""
LastPlayed = Callable[[], "tuple[str, float, float] | None"]
"""speaker.last_played: (text, monotonic start, monotonic end) of the last line."""
Expected = Callable[[], frozenset[Command]]
"""inbox.expected: the commands the session can take by voice now."""
EVERY_COMMAND = frozenset(Command)
CLEANED_EAR = "echo-cancelled"
"""The ear that hears the microphone with the coach's voice taken out (listener.py)."""
"""What a recogniser on its own takes (`voicecoach hear`, the self-hearing check)."""

NO_WORD_SECONDS = 0.45
"""A sound no longer than this, and with no voice in it, held no word."""
SAID_AGAIN_WITHIN = 5.0
"""Seconds from the end of a near miss to the start of the same phrase said again, for
the second to be taken (a person repeats a word within a few seconds)."""


@dataclass(frozen=True)
class Detection:
    """A command the recogniser accepted, with when and from what."""

    heard: Heard
    """What goes to the inbox."""
    at: float
    """Stream time when it was decided (end of the VAD hangover)."""
    utterance: Utterance
    """The audio it was decoded from."""


TAKE = "take"
COACH_SPEAKING = "coach speaking"
OWN_VOICE = "the coach's own word?"
"""An urgent word that may be the coach's own voice: dropped by this ear, left to the
echo-cancelled ear (see listener._Ears), which hears the person without the coach."""
LET_THROUGH = "the coach's voice let through"
"""A word the echo-cancelled ear heard while the canceller let the coach's voice through
(barge_in.BargeIn.let_through): not acted on at once, left to Whisper (over_coach.LetThrough)."""

LINES_REMEMBERED = 16
"""Lines the gate remembers (counts every half second: the last 8 s)."""
COUNT_ECHO_WITHIN = 0.6
"""Seconds after a count starts playing during which a sound that begins may be that
count coming back (the player's and the microphone's latency, and the voice's own lead-in
of quiet). A sound that begins outside it is not the count, whatever it decodes as."""


@dataclass(frozen=True)
class SelfHearingGate:
    """While the coach speaks, lets through "stop" and "pain" unless they may be its own."""

    now_playing: NowPlaying
    """What the speaker is playing now."""
    last_played: LastPlayed | None = None
    """What it played last, to cover the echo just after a line ends."""
    echo_tail: float = 0.5
    """Seconds after a line ended at the speaker (the player waits for its last sample to
    be played) during which a sound that begins may still be its echo: room reverberation,
    and the microphone's own latency (its frames are timed from their arrival)."""
    clock: Callable[[], float] = time.monotonic
    """The clock the speaker's times come from (used when no start time is given)."""
    mic_hears_coach: Callable[[], bool | None] = lambda: None
    """Whether the microphone hears the coach's speaker at all (None: not known yet); see
    echo_presence.CoachInMicrophone. Where it does not (headphones), nothing is an echo."""
    seen: deque[tuple[str, float, float | None]] = field(
        default_factory=lambda: deque(maxlen=LINES_REMEMBERED), compare=False
    )
    """(text, start, end or None while playing) of the lines `observe` saw: a word is
    judged a few tenths of a second after it began, and the speaker itself only knows
    its last two lines, so counts said every half second had gone from it by then."""

    def observe(self) -> None:
        """Note what the speaker plays (call often: the listener does, every frame)."""
        current = {(text, start): end for text, start, end in self._current()}
        for i, (text, start, end) in enumerate(self.seen):
            if end is None and (text, start) in current:
                self.seen[i] = (text, start, current[(text, start)])
            elif end is None:  # gone unseen: it ended by now
                self.seen[i] = (text, start, self.clock())
        known = {(text, start) for text, start, _ in self.seen}
        self.seen.extend((t, s, e) for (t, s), e in current.items() if (t, s) not in known)

    def allows(self, phrase: Phrase, began: float | None = None, cleaned: bool = False) -> bool:
        return self.judge(phrase, began, cleaned) == TAKE

    def judge(self, phrase: Phrase, began: float | None = None, cleaned: bool = False) -> str:
        """TAKE, COACH_SPEAKING or OWN_VOICE for `phrase`, heard in a sound that began at
        `began` (default: now), in the echo-cancelled audio when `cleaned`.

        While the coach speaks only "stop" and "pain" are heard (barge-in): its counts
        ("fifteen" can decode as "repeat") and its help ("you can say next...") must never
        be obeyed. "stop" and "pain" are never thrown away for the coach merely talking:
        only a sound that may be the coach saying that word itself (it says the word, or
        a count that began with the sound), in audio that holds the coach's voice."""
        moment = self.clock() if began is None else began
        playing = self._lines_sounding(moment)
        if not playing:
            return TAKE
        if phrase.command not in URGENT_COMMANDS:
            return COACH_SPEAKING
        if cleaned or self.mic_hears_coach() is False:
            return TAKE  # the coach's voice is not in this audio
        if any(_may_be_its_own(line, start, phrase, moment) for line, start in playing):
            return OWN_VOICE
        return TAKE

    def coach_sounding(self, moment: float) -> bool:
        """Whether the coach's voice (or its echo) may be in the microphone at `moment`."""
        return bool(self._lines_sounding(moment))

    def coach_in(self, start: float, end: float) -> bool:
        """Whether the coach's voice may be in a sound from `start` to `end`: its echo as
        the sound began, or a line playing during it."""
        return self.coach_sounding(start) or self.coach_talking(start, end)

    def coach_talking(self, start: float, end: float) -> bool:
        """Whether one of the coach's lines was playing at some moment from `start` to
        `end` (its echo's tail after the line not counted: a word said once the coach has
        finished is heard whole by the microphone's own ear)."""
        return any(
            began <= end and (ended is None or start <= ended)
            for _, began, ended in [*self.seen, *self._current()]
        )

    def line_began(self, start: float, end: float) -> bool:
        """Whether one of the coach's lines (or cues) began playing between `start` and
        `end`."""
        return any(start <= began <= end for _, began, _ in [*self.seen, *self._current()])

    def _lines_sounding(self, moment: float) -> list[tuple[str, float]]:
        """The coach's lines (text, start) that were playing (or echoing) at `moment`."""
        lines = {(t, s): e for t, s, e in self.seen}
        lines.update({(t, s): e for t, s, e in self._current()})
        return [
            (text, start)
            for (text, start), end in lines.items()
            if start <= moment and (end is None or moment <= end + self.echo_tail)
        ]

    def _current(self) -> list[tuple[str, float, float | None]]:
        """What the speaker plays now and played last."""
        lines: list[tuple[str, float, float | None]] = []
        last = self.last_played() if self.last_played is not None else None
        if last is not None:
            lines.append(last)
        playing = self.now_playing()
        if playing is not None:
            lines.append((playing[0], playing[1], None))
        return lines


def _may_be_its_own(line: str, start: float, phrase: Phrase, began: float) -> bool:
    """Whether a sound that began at `began` may be the coach saying `phrase` in `line`
    (started at `start`): a count that began with it ("thirteen" decodes as "stop"), or
    a line that says the word."""
    if _is_count(line):
        return began - start <= COUNT_ECHO_WITHIN
    return _says(line, phrase.text)


def _is_count(line: str) -> bool:
    return line.strip().isdigit()


def words_of(text: str) -> list[str]:
    """`text`'s words, lower case, without punctuation."""
    return "".join(c if c.isalnum() else " " for c in text.lower()).split()


def _says(line: str, phrase: str) -> bool:
    words = words_of(line)
    target = phrase.split()
    return any(words[i : i + len(target)] == target for i in range(len(words)))


@dataclass(frozen=True)
class Report:
    """What became of one stretch of sound: for the listening log and the benchmarks."""

    speech_start: float
    """When its sound began (stream or monotonic time, as the frames)."""
    speech_end: float
    """When its sound ended."""
    outcome: str
    """"heard", "said again", "near miss", "not a command", "not expected now", "coach
    speaking", or why the VAD dropped it ("longer than any command", ...)."""
    text: str = ""
    """What the engine made of it ("" when it was not decoded)."""
    score: float | None = None
    """The engine's score, when it has one."""
    decided_at: float | None = None
    """Stream time of the decision (end of the VAD hangover), when it was decoded."""
    ear: str = ""
    """Which audio it was heard in: "" the microphone's, "echo-cancelled" the same with
    the coach's voice taken out (see listener.VoiceListener)."""
    kept_db: float | None = None
    """In the echo-cancelled ear: how many dB of the microphone's sound the canceller kept
    over the sound (the median of its frames; barge_in.py), when known."""
    rise_db: float | None = None
    """In the echo-cancelled ear: how many dB the microphone rose over the sound above the
    coach's echo just before it (barge_in.py), when known."""
    removed_db: float | None = None
    """In the echo-cancelled ear: how many dB of the coach's echo the canceller took out
    just before the sound (barge_in.py), when known."""


class Recogniser:
    """Feed frames in order; get a Detection when a command was said."""

    def __init__(
        self,
        engine: Engine,
        vad: VadSettings | None = None,
        gate: SelfHearingGate | None = None,
        on_report: Callable[[Report], None] | None = None,
        expected: Expected = lambda: EVERY_COMMAND,
        ear: str = "",
    ) -> None:
        self.engine = engine
        self.expected = expected
        self.ear = ear
        self.detector = UtteranceDetector(vad or VadSettings())
        self.gate = gate
        self.on_report = on_report
        self.detector.on_dropped = self._dropped
        self.recent: deque[Report] = deque(maxlen=8)
        """The latest sounds and what became of them."""
        self.decode_seconds = 0.0
        """Processor time spent decoding, for the CPU benchmark."""
        self._near_miss: tuple[str, float] | None = None
        """(phrase, end of its sound) of the last utterance, when it was a near miss."""
        self._dither = SilenceDither()
        self.let_through: Callable[[float, float], bool] = lambda start, end: False
        """Whether the canceller let the coach's voice through over a sound (from `start`
        to `end`): set by the listener on its echo-cancelled ear."""
        self.suspected: list[Detection] = []
        """"stop" or "pain" heard where they may be the coach's own word (OWN_VOICE), not
        delivered: the listener takes them if the echo-cancelled ear heard a word there
        too but could not make it out (listener._Doubts)."""

    def start_over(self) -> None:
        """Forget the sound in progress: the frames that follow do not continue it."""
        self.detector = UtteranceDetector(self.detector.settings)
        self.detector.on_dropped = self._dropped
        self._near_miss = None

    def feed(self, frame: Frame) -> Detection | None:
        utterance = self.detector.feed(self._dither(frame))
        if utterance is None or self._coach_in_sound(utterance):
            return None
        started = time.process_time()
        decoded = self.engine.decode(utterance.pcm)
        self.decode_seconds += time.process_time() - started
        phrase, outcome = self._judge(decoded, utterance)
        if phrase is None and _held_no_word(decoded, utterance):
            self.detector.not_a_word()
        self._report(utterance, decoded, outcome)
        if outcome == OWN_VOICE:
            phrase = BY_TEXT.get(decoded.text)
        if phrase is None:
            return None
        heard = Heard(
            phrase.command,
            source="voice",
            score=phrase.score,
            text=decoded.text,
            confidence=decoded.confidence,
        )
        detection = Detection(heard, utterance.detected_at, utterance)
        if outcome == OWN_VOICE:
            self.suspected.append(detection)
            return None
        return detection

    def _coach_in_sound(self, utterance: Utterance) -> bool:
        """A word cut from a longer sound while the coach spoke (or its echo sounded) is
        not taken, but dropped as the sentence it may be: the coach's own phrases have
        loud cores as short as a word ("Water and electrolytes."), and one decoded as
        "ouch". Such a sound is left to the ways of hearing a word over the coach."""
        if utterance.sound is None or self.gate is None:
            return False
        if not self.gate.coach_in(*utterance.sound):
            return False
        self._dropped(*utterance.sound, TOO_LONG)
        return True

    def _judge(self, decoded: Decoded, utterance: Utterance) -> tuple[Phrase | None, str]:
        """The phrase to act on (or None), and what became of the utterance."""
        near_miss, self._near_miss = self._near_miss, None
        phrase = decoded.phrase
        if phrase is None and decoded.near_miss:
            phrase = BY_TEXT.get(decoded.text)
        if phrase is None:
            return None, "not a command"
        if phrase.command not in self.expected() | URGENT_COMMANDS:
            return None, "not expected now"
        if self.gate is not None:
            verdict = self.gate.judge(phrase, utterance.speech_start, self.ear == CLEANED_EAR)
            if verdict != TAKE:
                return None, verdict
        if self.let_through(utterance.speech_start, utterance.speech_end):
            return None, LET_THROUGH
        if decoded.phrase is not None:
            return phrase, "heard"
        if near_miss is not None and _again(near_miss, phrase, utterance):
            return phrase, "said again"
        self._near_miss = (phrase.text, utterance.speech_end)
        return None, "near miss"

    def _report(self, utterance: Utterance, decoded: Decoded, outcome: str) -> None:
        self._tell(
            Report(
                utterance.speech_start,
                utterance.speech_end,
                outcome,
                decoded.text,
                decoded.confidence,
                utterance.detected_at,
                self.ear,
            )
        )

    def _dropped(self, start: float, end: float, reason: str) -> None:
        self._near_miss = None  # something else was said in between
        self._tell(Report(start, end, reason, ear=self.ear))

    def _tell(self, report: Report) -> None:
        self.recent.append(report)
        if self.on_report is not None:
            self.on_report(report)

    def run(self, frames: Iterable[Frame]) -> Iterator[Detection]:
        for frame in frames:
            detection = self.feed(frame)
            if detection is not None:
                yield detection


def _held_no_word(decoded: Decoded, utterance: Utterance) -> bool:
    """Whether a sound held no word: the decoder heard none in it, or it was short and
    held no voice (a knock, a bump, a click: the decoder forces a filler word on them)."""
    if not decoded.text:
        return True
    if utterance.speech_seconds > NO_WORD_SECONDS:
        return False
    voiced = voiced_seconds(utterance.pcm)
    return voiced < MIN_VOICED


def _again(near_miss: tuple[str, float], phrase: Phrase, utterance: Utterance) -> bool:
    """Whether `phrase` repeats the near miss just before it, soon enough."""
    text, ended = near_miss
    return text == phrase.text and utterance.speech_start - ended <= SAID_AGAIN_WITHIN
