"""Two recognisers: a fast one acts on "stop" and "pain" at once; a stronger one decides.

PocketSphinx (the fast path, recall first) silences the coach the moment it hears
"stop" or "pain": that never waits for anything. Whisper, on its own worker thread,
then hears every word-sized sound the fast path decoded and decides:
- "yes", "no", numbers, "next", "quit", "skip" and the other commands: Whisper's word
  is the one acted on; the fast path's guess at them is not delivered.
- A fast "stop" that Whisper heard as "stop" or "pain" stands, among other words too
  ("let's stop": on the human takes it was withdrawn), and so does one in which it heard
  no words (unsure: act); heard as other words only, it is withdrawn (the coach says so
  and carries on), unless the word head is sure it heard "stop" (SURE_STOP: two voters
  of three). A fast "pain" is never withdrawn (a dropped "pain" is the one failure the
  coach must not have); where Whisper heard other words only ("down", "house": the fast
  path's "ouch" on the human takes), or no words, it is doubted: the coach, silent
  already, asks "Are you in pain?" before the red flags, and reads them on a yes or on
  no clear answer (PainCheckResult, Safety.on_pain). While a pain score is asked for, a
  number Whisper heard there goes with the doubt (Verdict.number): the coach asks "Did you
  say eight?" instead (asking.py). On the generated tuning set
  (scripts/tune_false_commands.py) Whisper heard words in every one of the 98 fast
  "pain"s said as a pain word, and none in 14 that were not ("couch", "skin", clinks).
- "stop" or "pain" that the fast path missed (or heard as another word) is acted on
  when Whisper hears it; a "stop" Whisper alone heard is not, where the word head is
  sure (SURE_STOP) it was another word or noise: two voters of three (a "tree", an "off"
  and an "on" among the human recordings; never one of their "stop"s). Not where the
  coach's voice may be in the sound: the head cannot judge a mixed one.
- When Whisper heard no words (its misses are mostly that), a third voter is asked,
  the word head (word_head.py: a small classifier over speech embeddings). A fast
  "stop" stands (unsure: act) unless Whisper is sure nothing was said at all, or the
  sound holds no vowel at a human pitch (voicing.py: dishes ring far above a voice),
  and the head did not hear a "stop" either; in a sound with no voice, only a head
  sure of its "stop" (SURE_STOP) keeps it (it heard one at 0.85 in the clatter of
  dishes, and at 0.99 in the one human "stop" with no voice Whisper heard no words in).
  A "stop", "yes" or "no" the head heard too, when Whisper half heard it or the fast
  path heard it without acting, is taken (two voters agreeing). Without the head, a
  fast "stop" stands. The head has no say in a fast "pain".
- Where Whisper heard words that are no answer now ("now" for a soft "no", "ten" for a
  "yes" while a yes/no question waits), an answer the fast path heard is taken when the
  head is sure of it too (SURE_STOP): Whisper heard words, so the head must be sure.
- Whisper's second choice: a command it found likely as its first word (SECOND_CHOICE)
  though it wrote another ("start start" for a soft "stop" across the room) is half
  heard, and taken where the head is sure of it (SURE_STOP) and the coach's voice is not
  in the sound.
- A number that follows another number within COUNTING_WITHIN seconds is someone
  counting aloud, not a pain score: it is not delivered. Nor is one in a sound the head
  is sure held no speech (NO_SPEECH: a miaow Whisper wrote as "eight").
- A word the fast path dropped as too soon after another sound (part of a sentence) is
  heard when Whisper heard no words in that sound and no "stop" or "pain" stands on it
  (a click just before the word). A fast "stop" withdrawn from such a sound is held back
  until it is known whether a word followed it so: a "stop" there keeps the coach silent.
  After a fast "pain" Whisper heard no words in (a click, doubted: the coach will ask
  "Are you in pain?"), only a "stop" or "pain" in such a word is acted on.
Only sounds short enough to be a command reach Whisper (the VAD drops anything longer),
and at most MAX_WAITING wait for it, so background talk cannot pile work on the CPU.
The self-hearing gate and expected words apply to Whisper's words as to the fast path's.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass, field

from voicecoach.core.ports import STOP_WITHDRAWN, URGENT_COMMANDS, Command, Heard
from voicecoach.listening.engine import Decoded, Engine
from voicecoach.listening.over_coach import urgent_beyond
from voicecoach.listening.recogniser import CLEANED_EAR, Expected, Report, SelfHearingGate
from voicecoach.listening.vocabulary import BY_TEXT, Phrase
from voicecoach.listening.voicing import MIN_VOICED, voiced_seconds
from voicecoach.listening.word_head import WordGuess, WordHead, load_head

SECOND_ENGINE = "whisper"
"""The engine that decides (by its name in listening.engine.ENGINES)."""
MAX_WAITING = 3
"""Sounds waiting for the second engine at most; older ones are dropped first."""


@dataclass(frozen=True)
class Sound:
    """One word-sized sound, as the fast path saw it."""

    pcm: bytes
    """The audio the fast engine decoded."""
    report: Report
    """When it began and ended, and what the fast path made of it."""
    fast: Heard | None
    """What the fast path made of it, or None; only its "stop" and "pain" were acted on."""
    over_coach: Callable[[Decoded], Heard | None] | None = None
    """For a sound that overlapped the coach's voice: the "stop"/"pain" to act on from the
    transcript beyond the coach's own words, once for a word (over_coach.py); asked when
    decide() found nothing, or "stop"/"pain"."""
    follows: float | None = None
    """For a sound the fast path dropped as too soon after another (part of a sentence):
    when that other ended. It is heard only if that one held no word (SecondOpinion.hear)."""


@dataclass(frozen=True)
class Verdict:
    """What to do after the second engine heard a sound."""

    deliver: Heard | None = None
    """A command to act on now."""
    withdrawn: bool = False
    """The fast "stop" was not a "stop": say so and carry on."""
    doubted: bool = False
    """Whisper heard other words where the fast path heard "pain": ask before acting."""
    number: Heard | None = None
    """With `doubted`: the number Whisper heard in place of the "pain" while a pain score
    is asked for ("eight"): the coach asks whether that was said (asking.py)."""


AGREE_PROBABILITY = 0.5
"""How likely the word head must find the command Whisper heard but would not stand by,
for the two together to take it (scripts/train_word_head.py, held-out speakers: at 0.5
the head alone took 602 of 655 stop/yes/no right and 64 of 1170 other words)."""
COUNTING_WITHIN = 1.5
"""Seconds: a number that begins this soon after another number ended is someone counting
("one, two, three"), not a pain score; a score is one number said on its own (and it
is read back, so a misheard one is corrected)."""
SURE_STOP = 0.9
"""How sure the word head must be of a "stop" for a fast "stop" to stand though Whisper
heard other words, and of an answer the fast path heard for it to be taken so
(scripts/train_word_head.py, held-out speakers: at 0.9 it took 10 of 1170 other words
for a command)."""
SECOND_CHOICE = 0.1
"""How likely Whisper must have found a command as its first word, though it wrote
another ("start" for a soft "stop" across the room), for it to count as half heard: the
word head must then be sure of it (SURE_STOP) for the two to take it. On the generated
soft-voice set (scripts/eval_soft_voice.py --generated) 0.02 to 0.1 took the same
commands wrongly (none); 0.1 is the careful end."""
NOT_SPEECH = 0.7
"""Whisper's probability that nothing was said at or above which a fast "stop" it heard
no words in is withdrawn (scripts/tune_third_voter.py, generated audio: the words it
heard as nothing scored at most 0.47; of the synthetic noises it heard as nothing, 69 of
112 scored 0.7 or more)."""


@dataclass(frozen=True)
class Unheard:
    """What else is known of a sound in which the second engine heard no words."""

    guess: WordGuess | None = None
    """The word head's guess (None: not installed)."""
    no_speech: float | None = None
    """Whisper's own probability that nothing was said (None: not known)."""
    unsure: Phrase | None = None
    """A command Whisper heard but would not stand by (its no-speech rule)."""
    voiced: float | None = None
    """Seconds of the sound voiced at a human pitch (voicing.py; None: not measured)."""
    first_words: Mapping[str, float] = field(default_factory=dict)
    """How likely Whisper found each one-word command as its first word (whisper.Doubt):
    its second choice, where it wrote another word."""


def decide(
    sound: Sound,
    decoded: Decoded,
    expected: frozenset[Command],
    gate: SelfHearingGate | None,
    unheard: Unheard = Unheard(),
) -> Verdict:
    """The second engine's decision on one sound (see the module's docstring);
    `unheard`: what else is known when it heard no words."""
    phrase = _allowed(decoded.phrase, sound, gate)
    fast = sound.fast.command if sound.fast is not None else None
    acted = fast if fast in URGENT_COMMANDS else None  # what the fast path acted on
    if acted is Command.STOP and phrase is None:
        phrase = _allowed(urgent_beyond(decoded.text, ()), sound, gate)  # "let's stop"
    if acted is Command.STOP and (phrase is None or phrase.command not in URGENT_COMMANDS):
        return Verdict(withdrawn=_not_a_stop(decoded, unheard))
    if acted is Command.PAIN and urgent_beyond(decoded.text, ()) is None:
        return Verdict(doubted=True, number=_number(phrase, expected))  # ask, never drop
    text = decoded.text
    if acted is None and not _usable_now(phrase, expected):
        fast_word = BY_TEXT.get(sound.fast.text) if sound.fast is not None else None
        if decoded.text:  # other words: the head must be sure, as to keep a fast "stop"
            agreed = _agreed(Unheard(unheard.guess), fast_word, SURE_STOP)
        else:
            agreed = _agreed(unheard, fast_word)
        agreed = _allowed(agreed or _second_choice(unheard, sound, gate), sound, gate)
        if agreed is not None:  # "now", "ten": the other two voters heard "no", "yes"
            phrase, text = agreed, agreed.text
    command = phrase.command if phrase is not None else None
    guess = unheard.guess
    if phrase is None or command == acted:
        return Verdict()
    if command is Command.STOP and acted is None and _head_sure_of(NOT_A_STOP, sound, gate, guess):
        return Verdict()  # Whisper alone heard it: the fast path none, the head another sound
    if command is Command.SCORE and _head_sure_of(NO_SPEECH, sound, gate, guess):
        return Verdict()  # a miaow Whisper wrote as a number
    if command not in URGENT_COMMANDS and command not in expected:
        return Verdict()
    if acted is Command.PAIN:
        return Verdict()  # pain outranks anything heard with it
    text = text or phrase.text
    heard = Heard(phrase.command, source="voice", score=phrase.score, text=text)
    return Verdict(deliver=heard)


def _number(phrase: Phrase | None, expected: frozenset[Command]) -> Heard | None:
    """The number Whisper heard, as its whole word, in place of a fast "pain" while a
    score is asked for (on the human takes, 3 of 117 numbers were a fast "pain" and 2 a
    fast "it hurts"). Only a number: a real "pain" Whisper wrote as "no" must never answer
    a red-flag question."""
    if phrase is None or phrase.command is not Command.SCORE or Command.SCORE not in expected:
        return None
    return Heard(phrase.command, source="voice", score=phrase.score, text=phrase.text)


def _allowed(phrase: Phrase | None, sound: Sound, gate: SelfHearingGate | None) -> Phrase | None:
    """The phrase, unless it may be the coach's own voice (as for the fast path)."""
    cleaned = sound.report.ear == CLEANED_EAR  # its audio holds no coach's voice to be its own
    if phrase is None or gate is None or gate.allows(phrase, sound.report.speech_start, cleaned):
        return phrase
    return None


def _not_a_stop(decoded: Decoded, unheard: Unheard) -> bool:
    """Withdraw a fast "stop"? Yes when Whisper heard other words in it. When it heard
    none, by a majority of the three voters: the stop stands (unsure: act) unless Whisper
    is sure nothing was said at all, or the sound holds no voice (MIN_VOICED), and the
    word head did not hear a "stop" either; in a sound with no voice, unless it is sure
    (SURE_STOP) of the "stop" it heard."""
    guess = unheard.guess
    if decoded.text:  # other words: withdrawn unless the head is sure it heard a "stop"
        return guess is None or guess.word != "stop" or guess.probability < SURE_STOP
    if guess is None or _agreed(unheard) is not None:
        return False  # no third voter, or a word both it and Whisper heard
    not_speech = unheard.no_speech is not None and unheard.no_speech >= NOT_SPEECH
    unvoiced = unheard.voiced is not None and unheard.voiced < MIN_VOICED
    if guess.word == "stop":  # it stands, unless the sound holds no voice and the head is unsure
        return unvoiced and guess.probability < SURE_STOP
    return not_speech or unvoiced


def _second_choice(unheard: Unheard, sound: Sound, gate: SelfHearingGate | None) -> Phrase | None:
    """The word the head is sure of (SURE_STOP), where Whisper found it likely as its
    first word (SECOND_CHOICE) but wrote another: two voters, one of them half sure."""
    guess = unheard.guess
    if guess is None or unheard.first_words.get(guess.word, 0.0) < SECOND_CHOICE:
        return None
    return BY_TEXT.get(guess.word) if _head_sure_of({guess.word}, sound, gate, guess) else None


def _head_sure_of(
    words: Set[str], sound: Sound, gate: SelfHearingGate | None, guess: WordGuess | None
) -> bool:
    """The word head is sure (SURE_STOP) the sound was one of `words` (its CLASSES), and
    it judged the person's sound alone (the coach's voice, or its echo, is not in it)."""
    report = sound.report
    mixed = gate is not None and gate.coach_in(report.speech_start, report.speech_end)
    sure = guess is not None and guess.word in words and guess.probability >= SURE_STOP
    return sure and not mixed


NOT_A_STOP = frozenset({"yes", "no", "other", "noise"})
"""What the head may be sure a "stop" only Whisper heard was: another word, or noise."""
NO_SPEECH = frozenset({"noise"})
"""What the head may be sure a number Whisper heard was. It knows no numbers (to it they
are "other" words); of the spoken numbers Whisper heard in the human recordings it took
none for noise, and it took a miaow Whisper wrote as "eight" for noise (0.93)."""


def _usable_now(phrase: Phrase | None, expected: frozenset[Command]) -> bool:
    """Whether Whisper heard a command that means something now."""
    return phrase is not None and (phrase.command in expected or phrase.command in URGENT_COMMANDS)


def _agreed(
    unheard: Unheard, fast_word: Phrase | None = None, least: float = AGREE_PROBABILITY
) -> Phrase | None:
    """A command the word head heard too (at least `least` sure), when Whisper half heard
    it (it heard the word but doubted anything was said) or the fast path heard it (and
    did not act): two voters agreeing while Whisper abstains."""
    guess = unheard.guess
    if guess is None or guess.probability < least:
        return None
    voted = [p for p in (unheard.unsure, fast_word) if p is not None and p.text == guess.word]
    return voted[0] if voted else None


def _fast_stop(sound: Sound) -> bool:
    return sound.fast is not None and sound.fast.command is Command.STOP


def _whisper_stop_alone(sound: Sound, decoded: Decoded) -> bool:
    """Whisper heard "stop" where the fast path acted on nothing (the head may veto it)."""
    fast = sound.fast.command if sound.fast is not None else None
    heard = decoded.phrase.command if decoded.phrase is not None else None
    return heard is Command.STOP and fast not in URGENT_COMMANDS


def _urgent_stands(sound: Sound, verdict: Verdict) -> bool:
    """A "stop" or "pain" stands on this sound: the fast path's, not withdrawn, or one
    Whisper delivered (the coach is silent already: a word after it is not heard)."""
    fast = sound.fast is not None and sound.fast.command in URGENT_COMMANDS
    heard = verdict.deliver is not None and verdict.deliver.command in URGENT_COMMANDS
    return (fast and not verdict.withdrawn) or heard


def _urgent_delivered(verdict: Verdict) -> bool:
    heard = verdict.deliver
    return heard is not None and heard.command in URGENT_COMMANDS


def _a_number(decoded: Decoded) -> bool:
    """Whisper heard a number (the word head may say it was no speech)."""
    return decoded.phrase is not None and decoded.phrase.score is not None


def _a_score(verdict: Verdict) -> bool:
    return verdict.deliver is not None and verdict.deliver.command is Command.SCORE


def _urgent_or_nothing(verdict: Verdict) -> bool:
    """Nothing to do, or a "stop"/"pain" to act on: what a sound over the coach rechecks."""
    heard = verdict.deliver
    undecided = not verdict.withdrawn and not verdict.doubted
    return undecided and (heard is None or heard.command in URGENT_COMMANDS)


class PainCheckResult:
    """The second engine's word on a fast "pain" (ports.PainCheck): settled once, from
    its thread, and waited for by the safety flow on the coach's."""

    def __init__(self) -> None:
        self._settled = threading.Event()
        self._doubted = False
        self._number: Heard | None = None
        self._deadline: float | None = None

    def settle(self, doubted: bool, number: Heard | None = None) -> None:
        if not self._settled.is_set():
            self._doubted, self._number = doubted, number if doubted else None
            self._settled.set()

    def doubted(self, within: float) -> bool:
        return self._came(within) and self._doubted

    def number_instead(self, within: float) -> Heard | None:
        return self._number if self._came(within) else None

    def _came(self, within: float) -> bool:
        """Whether the word came, waited for at most `within` seconds from the first wait:
        a question's wait and then the red-flag check's for one "pain" are one wait."""
        if self._deadline is None:
            self._deadline = time.monotonic() + max(0.0, within)
        return self._settled.wait(max(0.0, self._deadline - time.monotonic()))


def settle_pain_check(heard: Heard | None, doubted: bool, number: Heard | None = None) -> None:
    """Give a fast "pain" its check's word (no-op for anything else)."""
    check = heard.check if heard is not None else None
    if isinstance(check, PainCheckResult):
        check.settle(doubted, number)


class SecondOpinion:
    """Runs the second engine on its own thread; tells `deliver` what to act on."""

    def __init__(
        self,
        open_engine: Callable[[], Engine],
        deliver: Callable[[Heard], None],
        expected: Expected,
        gate: SelfHearingGate | None = None,
        on_unavailable: Callable[[str], None] | None = None,
        on_report: Callable[[Report], None] | None = None,
    ) -> None:
        self._open_engine = open_engine
        self.deliver = deliver
        self.expected = expected
        self.gate = gate
        self.on_unavailable = on_unavailable
        self.on_report = on_report
        self.engine: Engine | None = None
        self.word_head: WordHead | None = None
        """The third voter (word_head.py), loaded with Whisper when the `enrol` extra is
        installed; None: the two engines decide alone."""
        self.load_word_head: Callable[[], WordHead | None] = load_head
        """Where it comes from (the evaluation gives each speaker a head trained without
        them)."""
        self.failed = False
        """The engine could not be opened: the fast path works alone."""
        self._sounds: queue.Queue[Sound | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.enrolled: Callable[[bytes, Decoded], Decoded] | None = None
        """The user's takes (listening/enrolled.py second_opinion_rule): given the sound
        and what the second engine heard in it, what to decide on. None: not enrolled."""
        self.last_decode_seconds = 0.0
        """Wall time of the latest decode (for the benchmarks)."""
        self._number_ended = float("-inf")
        """When the last sound Whisper heard a number in ended (_counting)."""
        self._no_word_ends: deque[float] = deque(maxlen=4)
        """When the latest sounds that held no word ended: Whisper heard none in them, and
        no "stop" or "pain" stands on them (a sound too soon after one is heard). The
        times are the fast path's own (its Report), so they are compared exactly."""
        self._doubted_pain_ends: deque[float] = deque(maxlen=4)
        """When the latest sounds that held no word but a fast "pain" ended (a click taken
        for "pain", doubted): a "stop" or "pain" too soon after one is heard, nothing else
        (the coach is about to ask "Are you in pain?", which a word said before it must not
        answer)."""
        self._held: dict[float, Heard] = {}
        """Withdrawals of a fast "stop" in a sound that held no word, by when the sound
        ended, kept until it is known whether a word followed it too soon (see
        no_follower): a real "stop" just after a click the fast path took for one keeps
        the coach silent, rather than "I heard stop by mistake" and a stop again."""
        self._unfollowed: deque[float] = deque(maxlen=4)
        """When the latest fast "stop" sounds ended that no word followed too soon."""
        self._follow_lock = threading.Lock()
        self.idle = threading.Event()
        """Set while nothing waits for the second engine (for tests and file runs)."""
        self.idle.set()

    def start(self) -> SecondOpinion:
        self._thread = threading.Thread(target=self._loop, name="voicecoach-second", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._sounds.put(None)
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None

    def offer(self, sound: Sound) -> None:
        """Hand over a sound (from the listener's thread; never blocks). Not started, it
        is heard at once on the caller's thread (file runs, tests)."""
        if self._thread is None or self.failed:
            self.hear(sound)
            return
        self.idle.clear()
        while self._sounds.qsize() >= MAX_WAITING:
            with contextlib.suppress(queue.Empty):
                dropped = self._sounds.get_nowait()  # the oldest: the coach is far behind
                settle_pain_check(dropped.fast if dropped else None, doubted=False)
        self._sounds.put(sound)

    def hear(self, sound: Sound) -> Verdict:
        """Decode one sound and act on it (on the caller's thread). A sound too soon after
        another is part of a sentence, not heard, unless that other held no word."""
        after_pain = sound.follows is not None and sound.follows in self._doubted_pain_ends
        if sound.follows is not None and sound.follows not in self._no_word_ends and not after_pain:
            return self._after_withdrawal(sound.follows, Verdict())
        engine = self._engine()
        decoded = None
        if engine is not None:
            started = time.perf_counter()
            try:
                decoded = engine.decode(sound.pcm)
            except Exception as error:  # a broken engine must not take listening with it
                self._give_up(error)
            asked = decoded is not None and (
                not decoded.text
                or _fast_stop(sound)
                or _whisper_stop_alone(sound, decoded)
                or self._fast_word_unheard(sound, decoded)
                or (_a_number(decoded) and Command.SCORE in self.expected())
                or self._second_choice_usable(decoded)
            )
            unheard = self._unheard(sound) if asked else Unheard()
            self.last_decode_seconds = time.perf_counter() - started
        if decoded is None:  # the fast path alone, as without a second engine
            if sound.follows is not None:
                return self._after_withdrawal(sound.follows, Verdict())
            fast = sound.fast
            settle_pain_check(fast, doubted=False)
            alone = fast is not None and fast.command not in URGENT_COMMANDS
            if alone and fast is not None:
                self.deliver(fast)
            return Verdict(deliver=fast if alone else None)
        wordless = not decoded.text
        if self.enrolled is not None:
            decoded = self.enrolled(sound.pcm, decoded)
        verdict = decide(sound, decoded, self.expected(), self.gate, unheard)
        counting = self._counting(sound, decoded)
        if counting and _a_score(verdict):
            verdict = Verdict()  # someone counting aloud is not giving a score
        if after_pain and not _urgent_delivered(verdict):
            verdict = Verdict()  # after a doubted "pain": only a "stop" or "pain" counts
        if sound.over_coach is not None and _urgent_or_nothing(verdict):
            verdict = Verdict(deliver=sound.over_coach(decoded))  # the listener's own check
        self._tell(sound, decoded, verdict)
        if wordless and not _urgent_stands(sound, verdict):
            self._no_word_ends.append(sound.report.speech_end)
        elif wordless and verdict.doubted:
            self._doubted_pain_ends.append(sound.report.speech_end)
        settle_pain_check(sound.fast, verdict.doubted, verdict.number)
        if sound.follows is not None:
            verdict = self._after_withdrawal(sound.follows, verdict)
        if verdict.withdrawn:
            withdrawal = Heard(Command.RESUME, source="voice", text=STOP_WITHDRAWN)
            if not wordless or not self._held_back(sound.report.speech_end, withdrawal):
                self.deliver(withdrawal)
        elif verdict.deliver is not None:
            self.deliver(verdict.deliver)
        return verdict

    def no_follower(self, ended: float) -> None:
        """No word followed too soon the fast "stop" sound that ended at `ended` (from
        the listener, once the moment has passed): its withdrawal, held or to come, goes
        out at once."""
        with self._follow_lock:
            held = self._held.pop(ended, None)
            if held is None:
                self._unfollowed.append(ended)
        if held is not None:
            self.deliver(held)

    def _held_back(self, ended: float, withdrawal: Heard) -> bool:
        """Hold the withdrawal of the fast "stop" that ended at `ended` until it is known
        whether a word followed it too soon; False: none did, send it now."""
        with self._follow_lock:
            if ended in self._unfollowed:
                return False
            self._held[ended] = withdrawal
            return True

    def _after_withdrawal(self, follows: float, verdict: Verdict) -> Verdict:
        """The verdict on a word too soon after a withdrawn fast "stop": a "stop" in it is
        the one the coach acted on already (nothing more to do, and the withdrawal is
        dropped); otherwise the withdrawal goes out first."""
        with self._follow_lock:
            held = self._held.pop(follows, None)
        if held is None:
            return verdict
        heard = verdict.deliver
        if heard is not None and heard.command in URGENT_COMMANDS:
            return Verdict() if heard.command is Command.STOP else verdict
        self.deliver(held)
        return verdict

    def transcript(self, pcm: bytes) -> Decoded | None:
        """What the engine hears in `pcm`, decoded on the caller's thread (a sound's own
        check asks it from within hear(), on the engine's thread); None without one."""
        engine = self._engine()
        if engine is None:
            return None
        try:
            return engine.decode(pcm)
        except Exception as error:  # a broken engine must not take listening with it
            self._give_up(error)
            return None

    def _fast_word_unheard(self, sound: Sound, decoded: Decoded) -> bool:
        """The fast path heard a word that means something now, and Whisper heard words
        that do not ("now", "ten" while a yes/no question waits): the head may agree."""
        fast = sound.fast
        expected = self.expected()
        wanted = (
            fast is not None and fast.command in expected and fast.command not in URGENT_COMMANDS
        )
        return wanted and not _usable_now(decoded.phrase, expected)

    def _second_choice_usable(self, decoded: Decoded) -> bool:
        """Whisper wrote no command usable now, but found one likely as its first word
        (SECOND_CHOICE): the head may be sure of it."""
        if _usable_now(decoded.phrase, self.expected()):
            return False
        first_words = getattr(getattr(self.engine, "last_doubt", None), "first_words", {})
        likely = [BY_TEXT[w] for w, p in first_words.items() if p >= SECOND_CHOICE]
        return any(_usable_now(phrase, self.expected()) for phrase in likely)

    def _counting(self, sound: Sound, decoded: Decoded) -> bool:
        """Whether Whisper heard a number that follows another number it heard within
        COUNTING_WITHIN seconds ("one, two, three"); notes this sound's number."""
        number = _a_number(decoded)
        previous = self._number_ended
        if number:
            self._number_ended = sound.report.speech_end
        return number and sound.report.speech_start - previous <= COUNTING_WITHIN

    def _engine(self) -> Engine | None:
        if self.engine is None and not self.failed:
            try:
                self.engine = self._open_engine()
            except Exception as error:  # any failure: PocketSphinx goes on alone
                self._give_up(error)
            if self.engine is not None and self.engine.name == SECOND_ENGINE:
                self.word_head = self.load_word_head()  # its thresholds suit Whisper
        return self.engine

    def _unheard(self, sound: Sound) -> Unheard:
        """What Whisper thought beyond its words, and the word head's guess."""
        doubt = getattr(self.engine, "last_doubt", None)
        no_speech = getattr(doubt, "no_speech", None)
        unsure = getattr(doubt, "unsure", None)
        first_words = getattr(doubt, "first_words", {})
        voiced = voiced_seconds(sound.pcm) if _fast_stop(sound) else None  # only it asks
        return Unheard(self._guess(sound), no_speech, unsure, voiced, first_words)

    def _guess(self, sound: Sound) -> WordGuess | None:
        """The word head's guess (None without it, or if it fails: Whisper decides)."""
        if self.word_head is None:
            return None
        try:
            return self.word_head.guess(sound.pcm)
        except Exception:  # a broken third voter must not take listening with it
            self.word_head = None
            return None

    def _give_up(self, error: Exception) -> None:
        """From now on the fast path decides alone; said once."""
        self.failed, self.engine = True, None
        if self.on_unavailable is not None:
            self.on_unavailable(str(error).splitlines()[0] if str(error) else repr(error))

    def _loop(self) -> None:
        self._engine()  # load the model before the first word, not after it
        while True:
            sound = self._sounds.get()
            if sound is None:
                return
            self.hear(sound)
            if self._sounds.empty():
                self.idle.set()

    def _tell(self, sound: Sound, decoded: Decoded, verdict: Verdict) -> None:
        if self.on_report is None:
            return
        outcome = "second: " + (
            "withdrawn"
            if verdict.withdrawn
            else "pain doubted"
            if verdict.doubted
            else "heard"
            if verdict.deliver is not None
            else "nothing to act on"
        )
        report = sound.report
        self.on_report(
            Report(report.speech_start, report.speech_end, outcome, decoded.text, None,
                   report.decided_at, report.ear)
        )  # fmt: skip
