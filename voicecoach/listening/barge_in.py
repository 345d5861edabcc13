"""A word said over the coach that neither recogniser could place: an unsure "stop".

With the coach's speaker in the microphone (a laptop), a word said over one of its
sentences reaches the microphone's own ear inside one long sound, and the canceller, in
double talk, trims it to a blip or mangles it: both recognisers misread it ("skip",
"repeat", a filler) or drop it as shorter than any command. But the echo-cancelled ear
still hears a sound there, one the canceller left nearly whole and that made the
microphone louder than the coach's echo alone. Such a sound, word-sized, heard while the
coach talks, is acted on as "stop" (silence, then "Are you in pain?"): a false "stop"
costs one question, a dropped "pain" is the one failure this product must not have
(DESIGN: when unsure, act). What tells it from the canceller's leftovers of the coach's
own voice was calibrated on that voice looped back live (the whole `gentle` routine at
-6 and 0 dB), never on human recordings: see the figures below.
"""

from __future__ import annotations

import dataclasses
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
leaves of the coach's own voice is mostly far quieter against what it was given, but not
always (live it now and then lets a piece through whole: MIN_RISE_DB)."""
MIN_RISE_DB = 4.5
"""How much louder the microphone must have been over the sound than the coach's echo
before it (its loudest frame against the echo's usual level): a word said 6 dB over the
coach's echo rose 6.4 to 8.4 dB (offline, as above). The canceller now and then lets a
piece of the coach's voice through whole (live, the gentle routine heard back at -6 and
0 dB, three runs: 40 word-sized pieces it kept more than -12 dB of), and such a piece is
hardly louder than the rest of the echo: all but three rose less than 3.4 dB, and those
three (3.9 to 5.2 dB, counts run together) began as a line began."""
LOUD_RISE_DB = 7.0
"""A rise over the coach's echo this large is a word however little of it the canceller
kept: in double talk it may crush the person's word too (live, "stop" said over the
caution rose 11.5 dB and was kept -20.5 dB, and over an instruction rose 7.9 dB and was
kept -17.5 dB). The coach's own pieces that the canceller crushed as much never rose as
far: in 43 live listening logs of the `gentle` routine heard back (-6 and 0 dB), the 71
word-sized ones kept under -12 dB rose 5.2 dB at most."""
MIN_RISE_AT_ONSET_DB = 7.0
"""The same for a sound that began as one of the coach's lines (or cues) began (within
ONSET seconds): nearly all those pieces did, and they rose up to 5.2 dB (two counts run
together). Also asked of a sound where the canceller is not known to be taking the echo
out: too few frames of its work since the line began (live, "stop" said 1 s into an
instruction, kept whole and 8 dB over the echo, was dropped for want of that figure), or
under MIN_REMOVED_DB taken out."""
MIN_RISE_HEARD_DB = 4.0
"""How much louder the microphone must have been than the coach's echo over a "stop" or
"pain" the echo-cancelled ear made out while the coach talked, for it to be acted on at
once; under it, the word may be the coach's voice let through, and Whisper decides
(over_coach.LetThrough). Live on CI the canceller let "...your chest. Hold" through (it kept
-6.9 dB of the microphone's sound, which rose 3.6 dB) and its ear read "stop" there: the
coach obeyed itself. Offline (espeak-ng "stop" and "pain" said over counts and sentences,
made out by that ear), words said with the coach's echo 6 dB under the person rose 6.2 to
9.8 dB, at 3 dB under 4.2 to 9.0 dB, and at the same level 0.7 to 7.6 dB: the last go to
Whisper, a second later."""
ONSET = 0.35
"""Seconds after a line began during which a sound that begins is at its onset (the
pieces began 0.06 to 0.32 s after)."""
MIN_REMOVED_DB = 15.0
"""How much of the coach's echo the canceller must have been taking out just before the
sound for the usual rise (MIN_RISE_DB) to do: where it lets the coach's voice through
(live, under load, it passed whole counts through, kept about 0 dB), its ear cannot tell
the coach from the person, so the sound must rise as at a line's onset
(MIN_RISE_AT_ONSET_DB). Live, the 15 word-sized pieces of the coach's voice heard where it
took out less rose 3.8 dB at most; a "stop" said as a count began after seconds of quiet
(the canceller took 11 dB out) rose 9.7 dB."""
RECENT_FRAMES = 60
"""The canceller's last frames while the coach sounded, before a sound, over which its
work on the echo is judged. Only those: counting every five seconds, the frames just
before a count are the room's quiet, where there is no echo to take out (live, the
canceller then seemed to take under 1 dB out, and a word said as the count "ten" began
was not taken)."""
BEFORE_GAP = 0.3
"""Seconds before a sound left out of the echo it is weighed against (its onset)."""
MIN_BEFORE_FRAMES = 20
"""Frames before a sound needed to weigh it against the coach's echo."""
ECHO_SHARE = 0.9
"""The coach's echo level: the level this share of the frames before a sound stay under."""
PLACED = ("heard", "said again")
"""Outcomes of a sound a recogniser acted on as a command of its own."""


class BargeIn:
    """Feed every frame's levels in both ears; asks whether an echo-cancelled sound is a
    word said over the coach."""

    def __init__(self) -> None:
        self._levels: deque[tuple[float, float, float | None]] = deque(maxlen=FRAMES_KEPT)
        """(time, microphone dBFS, echo-cancelled dBFS or None) of the latest frames."""
        self._worked: deque[tuple[float, float, float]] = deque(maxlen=FRAMES_KEPT)
        """(time, microphone dBFS, echo-cancelled dBFS) of the latest frames heard while
        the coach sounded and the canceller was doing its job."""
        self._echo: deque[tuple[float, float]] = deque(maxlen=FRAMES_KEPT)
        """(time, microphone dBFS) of the latest frames heard while the coach sounded."""

    def feed(
        self, time: float, heard_db: float, cleaned_db: float | None, coach_sounding: bool
    ) -> None:
        """One frame's levels (`cleaned_db` None while the canceller is not doing its job)."""
        self._levels.append((time, heard_db, cleaned_db))
        if coach_sounding:
            self._echo.append((time, heard_db))
            if cleaned_db is not None:
                self._worked.append((time, heard_db, cleaned_db))

    def kept_db(self, start: float, end: float) -> float | None:
        """The median, over the frames from `start` to `end`, of how many dB of the
        microphone's sound the echo-cancelled ear kept; None without such frames."""
        kept = sorted(
            c - h for t, h, c in self._levels if c is not None and start - 0.001 <= t < end
        )
        return kept[len(kept) // 2] if kept else None

    def rise_db(self, start: float, end: float) -> float | None:
        """How much louder the microphone was over the sound from `start` to `end` (its
        loudest frame) than the coach's echo before it (the level ECHO_SHARE of the
        frames before it stay under); None without such frames."""
        before = sorted(h for t, h in self._echo if t < start - BEFORE_GAP)
        during = [h for t, h, _ in self._levels if start - 0.001 <= t < end]
        if len(before) < MIN_BEFORE_FRAMES or not during:
            return None
        return max(during) - before[int(len(before) * ECHO_SHARE)]

    def removed_db(self, start: float) -> float | None:
        """How many dB of the coach's echo the canceller took out in its last frames while
        the coach sounded before `start` (the median over the louder half of them); None
        without such frames."""
        worked = [(h, c) for t, h, c in self._worked if t < start - BEFORE_GAP]
        recent = worked[-RECENT_FRAMES:]
        if len(recent) < MIN_BEFORE_FRAMES:
            return None
        middle = sorted(h for h, _ in recent)[len(recent) // 2]
        removed = sorted(h - c for h, c in recent if h >= middle)
        return removed[len(removed) // 2]

    def let_through(self, start: float, end: float) -> bool:
        """Whether a word the echo-cancelled ear made out from `start` to `end`, while the
        coach talked, is the coach's voice let through: the microphone rose no louder over
        it than the coach's echo (false when that cannot be weighed)."""
        rise = self.rise_db(start, end)
        return rise is not None and rise < MIN_RISE_HEARD_DB

    def measured(self, report: Report) -> Report:
        """`report` (a sound of the echo-cancelled ear) with its three figures filled in:
        how much of it the canceller kept, how far the microphone rose over the coach's
        echo, and how much echo the canceller was taking out just before it."""
        start, end = report.speech_start, report.speech_end
        return dataclasses.replace(
            report,
            kept_db=self.kept_db(start, end),
            rise_db=self.rise_db(start, end),
            removed_db=self.removed_db(start),
        )

    def is_word(self, report: Report, at_onset: bool = False) -> bool:
        """Whether `report`, a sound of the echo-cancelled ear not acted on (`measured`),
        is word-sized, mostly kept by the canceller and louder in the microphone than the
        coach's echo (so not the canceller's leftovers of the coach's voice); `at_onset`: it
        began as one of the coach's lines did, where the canceller lets the most through."""
        if report.ear != CLEANED_EAR or report.outcome in PLACED:
            return False
        if not MIN_SECONDS <= report.speech_end - report.speech_start <= MAX_SECONDS:
            return False
        kept, rise, removed = report.kept_db, report.rise_db, report.removed_db
        if kept is None or rise is None:
            return False
        # Where the canceller is not known to be taking the echo out (too few frames of
        # its work yet, or too little taken out), only a sound louder than any piece of
        # the coach's own voice counts, as at a line's onset.
        removing = removed is not None and removed >= MIN_REMOVED_DB
        min_rise = MIN_RISE_AT_ONSET_DB if at_onset or not removing else MIN_RISE_DB
        kept_enough = kept >= MIN_KEPT_DB or rise >= LOUD_RISE_DB
        return kept_enough and rise >= min_rise
