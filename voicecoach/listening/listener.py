"""The live listener: frames from any source in, commands into the session's Inbox.

Wiring, one line (the microphone calls on_frame from its own thread):
    listener = VoiceListener(inbox, now_playing=speaker.now_playing,
                             last_played=speaker.last_played, expected=inbox.expected).start()
    Microphone(settings, on_frame=listener.on_frame).start()
Decoding runs on the listener's own thread, so the microphone thread never waits.

Two ears: given each frame with the coach's echo taken out as well (`on_frame(frame,
cleaned)`, see echo.py), the listener runs the recogniser on both. The canceller is
needed when the microphone hears the speaker: the coach's voice and a word said over it
are one long sound to the first ear. But where the microphone hears no speaker
(headphones, a microphone across the room) WebRTC's canceller never learns an echo path
and mangles words said while the coach talks ("stop" heard as "help"; said 0.5 to 4 s
into a sentence, "stop" and "pain" were lost 6 times of 6). So the microphone's own ear
decides whenever it heard the word as a sound of its own; the echo-cancelled ear is
taken only when the first could not separate the word from the coach (see _Ears).
"stop" and "pain" are weighed more for the person: the echo-cancelled ear's is taken
also where the first ear decided on a sound that held the coach's voice (a count and the
word as one sound), and the first ear's, suspected of being the coach's own word, is
taken where the echo-cancelled ear heard a word of its own there but could not make it
out (_Ears.doubts_settled).

Two recognisers: given `second` (Whisper), the first engine's "stop" and "pain" still go
to the inbox at once, and every sound the first engine decoded also goes to the second
on its own thread, which decides the rest (second_opinion.py). A sound that overlapped
the coach's voice goes with the coach's lines of that moment: a "stop" or "pain" Whisper
hears in it beyond the coach's words is acted on (over_coach.py; with the coach's
speaker in the microphone, the word and a count are one sound to the first ear).
One word is acted on once, whichever ear or engine took it first (_Acted).

Barge-in: a word-sized sound the echo-cancelled ear heard while the coach talked,
that the canceller left nearly whole (so not its leftovers of the coach's voice) and that
no ear acted on, is taken as an unsure "stop" (barge_in.py): over the coach's sentences
the canceller trims a word to a blip that neither recogniser can place.
"""

from __future__ import annotations

import contextlib
import dataclasses
import queue
import sys
import threading
from collections import deque
from collections.abc import Callable
from typing import Literal, Protocol, cast

from voicecoach.core.ports import URGENT_COMMANDS, Command, Heard
from voicecoach.listening.barge_in import ONSET, BargeIn
from voicecoach.listening.echo_presence import CoachInMicrophone
from voicecoach.listening.engine import DEFAULT_ENGINE, Decoded, Engine, make_engine
from voicecoach.listening.frames import Frame
from voicecoach.listening.levelling import raised_for_whisper
from voicecoach.listening.listen_log import ListenLog
from voicecoach.listening.over_coach import LetThrough, OverTheCoach
from voicecoach.listening.recogniser import (
    CLEANED_EAR,
    LET_THROUGH,
    OWN_VOICE,
    Detection,
    Expected,
    LastPlayed,
    NowPlaying,
    Recogniser,
    Report,
    SelfHearingGate,
    _is_count,
)
from voicecoach.listening.second_opinion import (
    PainCheckResult,
    SecondOpinion,
    Sound,
    settle_pain_check,
)
from voicecoach.listening.vad import (
    TOO_LONG,
    TOO_SHORT,
    TOO_SOON,
    Utterance,
    VadSettings,
    level_dbfs,
)
from voicecoach.listening.vocabulary import BY_TEXT


class CommandSink(Protocol):
    def put(self, heard: Heard) -> None: ...


LONG_OVER_COUNTS = 2.5
"""Seconds: the longest sound the first ear dropped over the coach's counts that the second
engine hears (a count, a word said as it began, and the next count a second later)."""
JOINED = {TOO_LONG, TOO_SOON}
"""What the first ear drops that may hold a word said over the coach's counts."""
AROUND = 0.3
"""Seconds of audio kept before and after such a sound for the second engine."""
RECENT_FRAMES = 120
"""The first ear's frames kept (3.6 s): the longest such sound and the audio around it."""
CLEANED_EAR_MIN_SPEECH_SECONDS = 0.25
"""The shortest sound the echo-cancelled ear decodes. What the canceller leaves of the
coach's voice comes in blips: over a whole gentle routine heard back at -6 dB, one of
0.15 s was decoded as "stop" (the coach obeyed itself); a word said over the coach is
longer than that."""


class VoiceListener:
    """Runs the recogniser on a thread and puts each command heard into `inbox`."""

    def __init__(
        self,
        inbox: CommandSink,
        engine: Engine | None = None,
        vad: VadSettings | None = None,
        now_playing: NowPlaying | None = None,
        last_played: LastPlayed | None = None,
        expected: Expected | None = None,
        on_unsure: Callable[[], None] | None = None,
        second: str | Engine | None = None,
        levelling: Callable[[Frame], Frame] | None = None,
    ) -> None:
        if engine is None:
            engine = make_engine(DEFAULT_ENGINE)
        self.coach_in_mic = CoachInMicrophone()
        """Whether the microphone hears the coach's speaker (judged as it listens)."""
        gate = None
        if now_playing is not None:
            gate = SelfHearingGate(
                now_playing, last_played, mic_hears_coach=self.coach_in_mic.hears_coach
            )
        self.gate = gate
        self.log = ListenLog.from_environment()
        """Where every stretch of sound is reported, when VOICECOACH_LISTEN_LOG is set."""
        self.on_unsure = on_unsure
        """Told when a word was heard but not acted on (the session plays a short tone:
        the person knows to say it again, rather than wonder whether it was heard)."""
        self._told_at = float("-inf")
        on_report = self._reported
        self._tee = _Tee(engine)
        first = cast(Engine, self._tee)  # decodes like the engine it wraps
        self.recogniser = Recogniser(first, vad or VadSettings(), gate, on_report)
        if expected is not None:
            self.recogniser.expected = expected
        cleaned_vad = dataclasses.replace(
            vad or VadSettings(), min_speech_seconds=CLEANED_EAR_MIN_SPEECH_SECONDS
        )
        self._cleaned_tee = _Tee(engine)
        cleaned_engine = cast(Engine, self._cleaned_tee)
        self.cancelled = Recogniser(cleaned_engine, cleaned_vad, gate, on_report)
        """The recogniser on the echo-cancelled audio, when the frames come with it."""
        self.cancelled.expected = self.recogniser.expected
        self.cancelled.ear = CLEANED_EAR
        self.cancelled.let_through = self._coach_let_through
        self._ears = _Ears(self.recogniser, self._coach_in_first_ear)
        self.inbox = inbox
        self.second: SecondOpinion | None = None
        """The engine named `second` deciding everything but a fast "stop"/"pain" (see
        second_opinion.py); None: the first engine decides alone."""
        if second is not None:
            self.second = SecondOpinion(
                lambda: second if not isinstance(second, str) else make_engine(second),
                inbox.put,
                self.recogniser.expected,
                gate,
                _second_unavailable,
                self.log.write if self.log is not None else None,
            )
        self.levelling = levelling
        """Levels each frame before the microphone's own ear hears it, and then each of
        its sounds for the second engine (levelling.py)."""
        self.detections: list[Detection] = []
        """Every command delivered, for logs and tests."""
        self.barge_in = BargeIn()
        """Tells a word said over the coach from the canceller's leftovers (barge_in.py)."""
        self._barging: list[Report] = []
        """Echo-cancelled sounds taken for a word said over the coach, not yet acted on."""
        self._acted = _Acted()
        self._heard: deque[Frame] = deque(maxlen=RECENT_FRAMES)
        """The first ear's latest frames, for sounds it dropped that Whisper hears."""
        self._dropped: Report | None = None
        """The first ear's latest sound dropped as too long or too soon, not yet offered."""
        self._stop_ended: float | None = None
        """When the latest fast "stop" offered to the second engine ended, until it is
        known whether a word followed it too soon (_settle_follower)."""
        self._frames: queue.Queue[tuple[Frame, bytes | None]] = queue.Queue(maxsize=2000)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def _coach_in_first_ear(self, start: float, end: float) -> bool:
        """Whether the microphone's own audio may hold the coach's voice at some moment
        from `start` to `end` (its echo as the sound began, or a line begun during it: a
        word said just before a count runs into the count)."""
        if self.gate is None or self.coach_in_mic.hears_coach() is False:
            return False
        return self.gate.coach_in(start, end)

    def _reported(self, report: Report) -> None:
        if not report.ear and report.outcome in JOINED:
            self._dropped = report
        if report.ear == CLEANED_EAR:
            report = self.barge_in.measured(report)
            if self._barges_in(report):
                self._barging.append(report)
        if self.log is not None:
            self.log.write(report)
        if self.on_unsure is None or report.outcome not in UNSURE or report.ear:
            return
        if self.gate is not None and self.gate.coach_sounding(report.speech_start):
            return  # over the coach it may be the coach's own word: nothing to say
        if report.speech_end - self._told_at >= TELL_AT_MOST_EVERY:
            self._told_at = report.speech_end
            self.on_unsure()

    def _coach_let_through(self, start: float, end: float) -> bool:
        """Whether the echo-cancelled ear's word from `start` to `end` may be the coach's
        own voice, which the canceller let through while the coach talked (barge_in.py):
        then Whisper decides (over_coach.LetThrough), not the fast path."""
        if self.second is None or self.second.failed:
            return False  # no Whisper to tell the coach's words from the person's: act
        if self.gate is None or self.coach_in_mic.hears_coach() is False:
            return False
        return self.gate.coach_talking(start, end) and self.barge_in.let_through(start, end)

    def _barges_in(self, report: Report) -> bool:
        """Whether an echo-cancelled sound is a word said over the coach (barge_in.py)."""
        if self.gate is None or self.coach_in_mic.hears_coach() is False:
            return False
        start, end = report.speech_start, report.speech_end
        onset = self.gate.line_began(start - ONSET, end)
        return self.gate.coach_talking(start, end) and self.barge_in.is_word(report, onset)

    def _act_on_barge_ins(self) -> None:
        """A word said over the coach that no ear acted on: "stop", unsure (silence, then
        the stop's question), once per word."""
        for report in self._barging:
            if self._acted.claim(report.speech_start, report.speech_end, unsure=True):
                self.inbox.put(Heard(Command.STOP, source="voice", text=UNSURE_STOP))
                if self.log is not None:
                    self.log.write(dataclasses.replace(report, outcome=UNSURE_STOP))
        self._barging.clear()

    def on_frame(self, frame: Frame, cleaned: bytes | None = None) -> None:
        """Give the listener one frame (and the same with the echo taken out); safe from
        any thread, never blocks."""
        with contextlib.suppress(queue.Full):  # hopelessly behind: drop audio, not the mic
            self._frames.put_nowait((frame, cleaned))

    def start(self) -> VoiceListener:
        if self.second is not None:
            self.second.start()
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="voicecoach-listen", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stop decoding (waits at most `timeout` seconds for the thread)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None
        if self.second is not None:
            self.second.stop(timeout)
        if self.log is not None:
            self.log.close()
            self.log = None

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                frame, cleaned = self._frames.get(timeout=0.1)
            except queue.Empty:
                continue
            self.feed(frame, cleaned)

    def feed(self, frame: Frame, cleaned: bytes | None = None) -> Detection | None:
        """Process one frame on the caller's thread (used by the loop and by file runs);
        the command taken from it, if any."""
        if self.gate is not None:
            self.gate.observe()
            heard_db = level_dbfs(frame.pcm)
            sounding = self.gate.coach_sounding(frame.time)
            self.coach_in_mic.feed(heard_db, sounding)
            cleaned_db = level_dbfs(cleaned) if cleaned is not None else None
            self.barge_in.feed(frame.time, heard_db, cleaned_db, sounding)
        levelled = self.levelling(frame) if self.levelling is not None else frame
        self._heard.append(levelled)
        taken = [self.recogniser.feed(levelled)]
        if cleaned is not None:
            self._ears.offer(self.cancelled.feed(Frame(cleaned, frame.time)))
            self._offer_cleaned_ear()
        elif self._ears.listening:
            self.cancelled.start_over()  # it heard no part of what comes next
        self._ears.listening = cleaned is not None
        taken += self._ears.settled(frame.end)
        taken += self._ears.doubts_settled(self.recogniser.suspected, self.cancelled, frame.end)
        taken = [self._with_pain_check(detection) for detection in taken]
        for detection in taken:
            if detection is not None:
                self.detections.append(detection)
                self._deliver(detection, first_ear=detection is taken[0])
        self._act_on_barge_ins()  # after the ears' own "stop"/"pain" (each word once)
        self._offer_first_ear(taken[0])  # after a fast "stop" is in the inbox
        self._offer_dropped()
        self._settle_follower(frame.end)
        return next((d for d in taken if d is not None), None)

    def _with_pain_check(self, detection: Detection | None) -> Detection | None:
        """A fast "pain" the second engine will hear carries its word on it (Heard.check):
        the safety flow waits a moment for it before the red flags."""
        second = self.second
        if detection is None or second is None or second.failed:
            return detection
        if detection.heard.command is not Command.PAIN:
            return detection
        heard = dataclasses.replace(detection.heard, check=PainCheckResult())
        return dataclasses.replace(detection, heard=heard)

    def _deliver(self, detection: Detection, first_ear: bool) -> None:
        """Into the inbox at once, unless the second engine decides this one."""
        urgent = detection.heard.command in URGENT_COMMANDS
        word = detection.utterance
        command = detection.heard.command
        if urgent and not self._acted.claim(word.speech_start, word.speech_end, command):
            return  # the other ear (or Whisper) took this word already
        if self.second is None or urgent:
            self.inbox.put(detection.heard)
        if urgent and self._coach_lines(word.speech_start, word.speech_end):
            settle_pain_check(detection.heard, doubted=False)
            return  # over the coach's voice Whisper cannot judge the mixed sound: it stands
        if self.second is not None and not first_ear:  # the first ear's sounds are offered
            report = Report(word.speech_start, word.speech_end, "heard", detection.heard.text,
                            decided_at=detection.at, ear=self.cancelled.ear)  # fmt: skip
            self.second.offer(Sound(word.pcm, report, detection.heard))

    def _offer_first_ear(self, detection: Detection | None) -> None:
        """Every sound the first ear decoded goes to the second engine too."""
        pcm = self._tee.take()
        fast = detection.heard if detection is not None else None
        if self.second is None or pcm is None:
            settle_pain_check(fast, doubted=False)  # nothing to hear it in: it stands
            return
        pcm = self._for_whisper(pcm)
        report = self.recogniser.recent[-1]
        start, end = report.speech_start, report.speech_end
        lines = self._coach_lines(start, end)
        if fast is not None and fast.command in URGENT_COMMANDS:
            if lines:
                return  # acted on over the coach: it stands (see _deliver)
            if fast.command is Command.STOP:
                self._stop_ended = end  # it may be withdrawn: see _settle_follower
            self.second.offer(Sound(pcm, report, fast))
            return
        self.second.offer(Sound(pcm, report, fast, self._over_a_count(start, end, lines)))

    def _offer_dropped(self) -> None:
        """A first-ear sound dropped as longer than any command, or as too soon after the
        sound before it, goes to the second engine when only the coach's counts sound there,
        for a "stop" or "pain" beyond them (over_coach.py). With the coach's speaker in the
        microphone, a word said as a count begins runs, with the room's tail, into the next
        count (one sound too long to decode), or is cut in two with the count in the first
        part (Whisper heard "four"): Whisper hears the whole of it, both parts together.
        Nothing but counts there: over its sentences Whisper may say a command of its prompt.
        Where the coach is silent, a sound too soon after another goes on its own, heard
        only if that other held no word (SecondOpinion.hear: a click, a knock)."""
        report, self._dropped = self._dropped, None
        if report is None or self.second is None:
            return
        start, end = report.speech_start, report.speech_end
        before = self._sound_before(report) if report.outcome == TOO_SOON else None
        if before is not None:
            start = before.speech_start
        lines = self._coach_lines(start, end)
        if before is not None and not lines:
            self._offer_too_soon(report, before)
            return
        if end - start > LONG_OVER_COUNTS or not lines or not all(map(_is_count, lines)):
            return
        judge = OverTheCoach(lines, self._acted_already(start, end))
        whole = dataclasses.replace(report, speech_start=start)
        self.second.offer(Sound(self._first_ear_audio(start, end), whole, None, judge))

    def _offer_too_soon(self, report: Report, before: Report) -> None:
        """A word the first ear dropped as too soon after the sound before it, for Whisper
        to hear on its own (without that sound) if that sound held no word: a click at
        the start of a recording, decoded as "one" or rescued as "stop" by the takes,
        made the real "stop" 0.33 s later "part of a sentence", and it was lost
        (scripts/eval_recogniser.py, human takes; scripts/eval_enrol.py)."""
        start = max(report.speech_start - AROUND, before.speech_end)
        frames = [f.pcm for f in self._heard if start < f.time < report.speech_end + AROUND]
        pcm = self._for_whisper(b"".join(frames))
        assert self.second is not None
        if self._stop_ended == before.speech_end:
            self._stop_ended = None  # the second engine settles it with this word
        self.second.offer(Sound(pcm, report, None, follows=before.speech_end))

    def _settle_follower(self, now: float) -> None:
        """Once no word can follow the latest fast "stop" sound too soon (the quiet a
        command needs before it has passed, and no sound began within it), a withdrawal
        of that "stop" goes out (SecondOpinion.no_follower)."""
        ended, second = self._stop_ended, self.second
        if ended is None or second is None:
            return
        window = ended + self.recogniser.detector.settings.min_quiet_before
        began = self.recogniser.detector.sound_began
        if now < window or (began is not None and began < window):
            return  # a word may yet follow it too soon
        self._stop_ended = None
        second.no_follower(ended)

    def _first_ear_audio(self, start: float, end: float) -> bytes:
        """The first ear's recent audio from `start` to `end`, with AROUND on each side, as
        the second engine hears it."""
        return self._for_whisper(b"".join(self._first_ear_frames(start, end)))

    def _first_ear_frames(self, start: float, end: float) -> list[bytes]:
        """The first ear's recent frames from `start` to `end`, with AROUND on each side."""
        return [f.pcm for f in self._heard if start - AROUND < f.time < end + AROUND]

    def _sound_before(self, report: Report) -> Report | None:
        """The first ear's sound just before `report` (too soon after it), if any."""
        earlier = [r for r in self.recogniser.recent if r.speech_end <= report.speech_start]
        return earlier[-1] if earlier else None

    def _for_whisper(self, pcm: bytes) -> bytes:
        """A first-ear sound as the second engine hears it: raised, when levelling (a soft
        word: Whisper would take it for no speech)."""
        return raised_for_whisper(pcm) if self.levelling is not None else pcm

    def _offer_cleaned_ear(self) -> None:
        """A sound the echo-cancelled ear decoded over the coach but did not take (the
        canceller mangles a word said over the coach: "stop" as "one", "help"; over a
        sentence it may damp it with the coach's voice: live, a "stop" 14 dB down,
        decoded as "slowly") goes to the second engine too, for a "stop" or "pain" in it
        beyond the coach's words (its commands are offered as they are delivered, see
        _deliver). Over sentences too: the canceller has taken the coach's voice out of
        this audio (the whole `gentle` script heard back gave no more decodes and no
        command), unlike the first ear's (see _over_a_count), except where it let the
        coach's voice through: there a "stop"/"pain" Whisper heard is checked in the
        first ear's audio too (over_coach.OverTheCoach.whole)."""
        pcm = self._cleaned_tee.take()
        if self.second is None or pcm is None:
            return
        report = self.cancelled.recent[-1]
        start, end = report.speech_start, report.speech_end
        lines = self._coach_lines(start, end)
        acted, whole = self._acted_already(start, end), self._whole_heard(start, end)
        over: Callable[[Decoded], Heard | None] | None = None
        if report.outcome == LET_THROUGH:
            phrase = BY_TEXT.get(report.text)
            command = phrase.command if phrase is not None else Command.STOP
            over = LetThrough(command, lines, acted, whole)
        elif lines:
            let_through = self._coach_let_through(start, end)
            over = OverTheCoach(lines, acted, cleaned=True, whole=whole if let_through else None)
        if report.outcome in ("heard", "said again") or over is None:
            return
        self.second.offer(Sound(pcm, report, None, over))

    def _whole_heard(self, start: float, end: float) -> Callable[[], Decoded | None]:
        """Whisper's transcript of the first ear's audio of a moment, when asked for (the
        frames are taken now, the sound is made and decoded on Whisper's thread, and only
        when its check asks)."""
        frames, second = self._first_ear_frames(start, end), self.second
        if second is None:
            return lambda: None

        def heard() -> Decoded | None:
            decoded = second.transcript(self._for_whisper(b"".join(frames)))
            if decoded is not None and self.log is not None:
                self.log.write(Report(start, end, WHOLE_HEARD, decoded.text))
            return decoded

        return heard

    def _over_a_count(
        self, start: float, end: float, lines: tuple[str, ...]
    ) -> OverTheCoach | None:
        """The check for "stop"/"pain" beyond the coach's words (over_coach.py), for a first
        ear's sound over one of its counts; None elsewhere. Over its other lines Whisper,
        prompted with the commands, goes on to say one: the coach's "A reminder:" heard
        back at full level was written "have remained ouch" (a false "pain"; offline, the
        whole gentle script), while over counts it wrote numbers and fillers. Nor where the
        microphone rose no louder than the coach's echo over the sound (barge_in.py): live,
        counting every five seconds, Whisper wrote "it hurts", a phrase of its prompt, for
        a piece of the coach's voice alone."""
        if not any(_is_count(line) for line in lines):
            return None
        if self._coach_let_through(start, end):
            return None  # the microphone no louder than the coach's echo: no word over it
        return OverTheCoach(lines, self._acted_already(start, end))

    def _acted_already(self, start: float, end: float) -> Callable[[Command], bool]:
        """Whether "stop"/"pain" was acted on already for the sound from `start` to `end`
        (claiming it, if not)."""
        return lambda command: not self._acted.claim(start, end, command)

    def _coach_lines(self, start: float, end: float) -> tuple[str, ...]:
        """The coach's lines sounding in the microphone's audio between `start` and `end`
        (none where the microphone does not hear the coach at all)."""
        if self.gate is None or self.coach_in_mic.hears_coach() is False:
            return ()
        tail = self.gate.echo_tail
        return tuple(
            text
            for text, began, ended in list(self.gate.seen)
            if began <= end and (ended is None or start <= ended + tail)
        )


class _Tee:
    """The first engine, keeping the audio it last decoded for the second engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.name = engine.name
        self._last: bytes | None = None

    def decode(self, pcm: bytes) -> Decoded:
        self._last = pcm
        return self.engine.decode(pcm)

    def take(self) -> bytes | None:
        """The audio decoded since the last call, or None."""
        last, self._last = self._last, None
        return last


def _second_unavailable(reason: str) -> None:
    print(f"Whisper is not available ({reason}); listening with PocketSphinx alone.",
          file=sys.stderr)  # fmt: skip


class _Acted:
    """The sounds "stop" or "pain" was acted on for: one word, acted on once, though both
    ears (and Whisper, later, on its own thread) may take it. One exception: a word taken
    as an unsure "stop" that an ear or Whisper then makes out as "pain" is acted on again
    as "pain" (the answer to the stop's "Are you in pain?")."""

    def __init__(self) -> None:
        self._spans: deque[tuple[float, float, bool]] = deque(maxlen=8)
        """(start, end, taken as an unsure stop) of each sound acted on."""
        self._lock = threading.Lock()

    def claim(
        self, start: float, end: float, command: Command | None = None, unsure: bool = False
    ) -> bool:
        """True (and noted) when no word acted on overlaps the sound from `start` to `end`,
        or when `command` is "pain" and all those were unsure stops."""
        with self._lock:
            low, high = start - OWN_SOUND_MARGIN, end + OWN_SOUND_MARGIN
            over = [span for span in self._spans if span[0] < high and span[1] > low]
            if over and (command is not Command.PAIN or not all(span[2] for span in over)):
                return False
            for span in over:
                self._spans.remove(span)
            self._spans.append((start, end, unsure))
            return True


class _Ears:
    """Decides when the echo-cancelled ear's command is taken: only when the microphone's
    own ear did not hear that word as a sound of its own (it was inside a longer sound, the
    coach's echo, or came too soon after it, or was cut to a blip). When the first ear
    did hear it, its decision stands, whatever it was."""

    def __init__(self, first: Recogniser, coach_in_first: Callable[[float, float], bool]) -> None:
        self._first = first
        self._coach_in_first = coach_in_first
        """Whether the first ear's audio may hold the coach's voice over a stretch."""
        self._pending: list[Detection] = []
        self.listening = False
        """Whether the echo-cancelled ear had the last frame."""

    def offer(self, detection: Detection | None) -> None:
        if detection is not None:
            self._pending.append(detection)

    def settled(self, now: float) -> list[Detection]:
        """The echo-cancelled commands to take now; the rest wait or are dropped."""
        taken, waiting = [], []
        for detection in self._pending:
            verdict = self._verdict(detection, now)
            if verdict == "take":
                taken.append(detection)
            elif verdict == "wait":
                waiting.append(detection)
        self._pending = waiting
        return taken

    def doubts_settled(
        self, suspected: list[Detection], cancelled: Recogniser, now: float
    ) -> list[Detection]:
        """The first ear's suspected "stop"/"pain" (maybe the coach's own word) to act on:
        those where the echo-cancelled ear, which hears the person without the coach,
        heard a word of its own there but could not make it out (the canceller mangles
        words said over the coach). A false "stop" costs a question; a dropped "pain" is
        the failure this product must not have. Where it heard only quiet, the sound was
        the coach's, taken out; where it took the word itself, that one is delivered."""
        taken, waiting = [], []
        for detection in suspected:
            verdict = self._doubt(detection, cancelled, now)
            if verdict == "take":
                taken.append(detection)
            elif verdict == "wait":
                waiting.append(detection)
        suspected[:] = waiting
        return taken

    def _doubt(
        self, detection: Detection, cancelled: Recogniser, now: float
    ) -> Literal["take", "wait", "drop"]:
        if not self.listening:
            return "drop"  # no second ear to ask: the coach's own word, most likely
        word = detection.utterance
        there = [r for r in cancelled.recent if _overlaps(r, word)]
        if any(r.outcome in ("heard", "said again") for r in there):
            return "drop"  # delivered from the echo-cancelled ear itself
        if any(_word_sized(r) for r in there):
            return "take"
        began = cancelled.detector.sound_began
        if began is not None and began < word.speech_end and now - detection.at < DOUBT_WAIT:
            return "wait"  # its sound goes on: see how it ends
        return "drop" if now - detection.at > FIRST_EAR_WAIT else "wait"

    def _verdict(self, detection: Detection, now: float) -> Literal["take", "wait", "drop"]:
        word = detection.utterance
        first = [r for r in self._first.recent if _decoded(r) and _overlaps(r, word)]
        if first and not (
            detection.heard.command in URGENT_COMMANDS
            and all(self._coach_in_first(r.speech_start, r.speech_end) for r in first)
        ):
            return "drop"  # the first ear heard the word itself and decided
        if first:
            return "take"  # the first ear heard it with the coach's voice: this ear decides
        began = self._first.detector.sound_began
        if began is not None and began < word.speech_start - OWN_SOUND_MARGIN:
            return "take"  # the first ear is inside a longer sound: the coach's echo
        return "take" if now - detection.at > FIRST_EAR_WAIT else "wait"


UNSURE_STOP = "unsure stop"
"""Heard.text (and the log's outcome) of a word said over the coach taken as "stop"."""
WHOLE_HEARD = "second: the microphone's own audio"
"""The log's outcome for what Whisper heard in the first ear's audio of a let-through word."""
UNSURE = {"near miss", "not expected now"}
"""What becomes of a word that was heard as a command but not acted on: the person is told."""
TELL_AT_MOST_EVERY = 2.0
"""Seconds: one tone for a burst of such words."""
OWN_SOUND_MARGIN = 0.25
"""Seconds: sounds that begin or end this close to a word are the word itself."""
DOUBT_WAIT = 1.5
"""Seconds a suspected word waits while the echo-cancelled ear's sound over it goes on."""
FIRST_EAR_WAIT = 0.3
"""Seconds the echo-cancelled ear's command waits for the first ear to decide on the
same word (both ears end a word within a few frames of each other)."""
_NOT_DECODED = {
    TOO_LONG,
    TOO_SHORT,
    TOO_SOON,
    OWN_VOICE,  # the first ear suspects the coach's echo: the echo-cancelled ear decides
    LET_THROUGH,  # the echo-cancelled ear heard the coach's voice, not a word of the person's
}


def _word_sized(report: Report) -> bool:
    """The echo-cancelled ear heard a word there: decoded, or a word too soon after other
    sound (the coach's last word left in)."""
    return _decoded(report) or report.outcome == TOO_SOON


def _decoded(report: Report) -> bool:
    """The first ear found a word-sized sound on its own and decided on it."""
    return report.outcome not in _NOT_DECODED


def _overlaps(report: Report, word: Utterance) -> bool:
    return (
        report.speech_start < word.speech_end + OWN_SOUND_MARGIN
        and report.speech_end > word.speech_start - OWN_SOUND_MARGIN
    )
