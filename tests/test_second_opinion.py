"""Two recognisers: the fast one's "stop"/"pain" act at once, the second decides the rest,
confirms or withdraws a fast "stop", and catches a "stop" the fast one missed. Fake
engines here (fast unit tests of the decision and the listener's wiring); the real
Whisper engine is tested in test_whisper_engine.py."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from tests.listening_support import HUMAN, SCORE_QUESTION, needs_espeak, needs_human
from tests.test_whisper_engine import needs_whisper
from voicecoach.core.ports import DURING_ROUTINE, Command, Heard
from voicecoach.listening.engine import Decoded
from voicecoach.listening.frames import noise, split_frames
from voicecoach.listening.listener import VoiceListener
from voicecoach.listening.recogniser import Report, SelfHearingGate
from voicecoach.listening.second_opinion import (
    MAX_WAITING,
    STOP_WITHDRAWN,
    PainCheckResult,
    SecondOpinion,
    Sound,
    decide,
)
from voicecoach.listening.vocabulary import BY_TEXT
from voicecoach.listening.word_head import WordGuess

YES_NO = frozenset({Command.YES, Command.NO}) | {Command.STOP, Command.PAIN}


def sound(fast: str | None = None, began: float = 10.0) -> Sound:
    heard = Heard(BY_TEXT[fast].command, "voice", text=fast) if fast else None
    return Sound(b"", Report(began, began + 0.4, "heard" if fast else "not a command"), heard)


def said(text: str) -> Decoded:
    return Decoded(BY_TEXT.get(text), text)


@pytest.mark.parametrize(
    ("fast", "second", "expected", "delivered", "withdrawn"),
    [
        ("stop", "stop", DURING_ROUTINE, None, False),  # confirmed
        ("stop", "top", DURING_ROUTINE, None, True),  # withdrawn: say so, carry on
        ("stop", "", DURING_ROUTINE, None, False),  # no words heard: unsure, it stands
        ("stop", "pain", DURING_ROUTINE, Command.PAIN, False),  # pain outranks stop
        ("stop", "let's stop", DURING_ROUTINE, None, False),  # the word among others: stands
        ("stop", "don't stop", DURING_ROUTINE, None, False),  # unsure: a question, not a drop
        ("stop", "stop, it hurts", DURING_ROUTINE, None, False),  # it stands: "Are you in pain?"
        ("stop", "top it", DURING_ROUTINE, None, True),  # no "stop" in it: withdrawn
        ("pain", "plain", DURING_ROUTINE, None, False),  # never withdrawn (asked about)
        ("pain", "stop", DURING_ROUTINE, None, False),
        (None, "stop", DURING_ROUTINE, Command.STOP, False),  # the fast path missed it
        (None, "it hurts", YES_NO, Command.PAIN, False),
        (None, "next", DURING_ROUTINE, Command.NEXT, False),
        (None, "yes", YES_NO, Command.YES, False),
        (None, "yes", DURING_ROUTINE, None, False),  # not expected now
        (None, "the weather", DURING_ROUTINE, None, False),
        ("next", "next", DURING_ROUTINE, Command.NEXT, False),  # the fast guess was not acted on
        ("next", "hello", DURING_ROUTINE, None, False),
    ],
)
def test_the_second_engine_decides(
    fast: str | None,
    second: str,
    expected: frozenset[Command],
    delivered: Command | None,
    withdrawn: bool,
) -> None:
    verdict = decide(sound(fast), said(second), expected, None)
    assert (verdict.deliver.command if verdict.deliver else None) == delivered
    assert verdict.withdrawn == withdrawn


@pytest.mark.parametrize(
    ("fast", "second", "doubted"),
    [
        ("ouch", "down", True),  # the human takes: the fast path's "ouch" for "down"
        ("pain", "plain", True),
        ("ouch", "ouch", False),
        ("ouch", "it hurts", False),
        ("pain", "oh, it hurts so much", False),  # the words among others: it stands
        ("pain", "stop", False),
        ("ouch", "", True),  # no words heard: unsure, ask
    ],
)
def test_a_fast_pain_is_asked_about_where_whisper_heard_other_words_or_none(
    fast: str, second: str, doubted: bool
) -> None:
    verdict = decide(sound(fast), said(second), DURING_ROUTINE, None)
    assert verdict.doubted == doubted
    assert verdict.deliver is None and not verdict.withdrawn  # never dropped, never re-sent


@needs_espeak
@pytest.mark.parametrize(("second", "doubted"), [("down", True), ("ouch", False)])
def test_the_fast_pain_the_listener_delivers_carries_the_second_engines_word(
    second: str, doubted: bool
) -> None:
    from tests.support import espeak

    inbox = Inbox()
    listener = VoiceListener(inbox, Hears("ouch"), second=Hears(second))  # type: ignore[arg-type]
    pcm = noise(0.5, seed=1) + espeak.render("hello") + noise(1.0, seed=2)
    for frame in split_frames(pcm):
        listener.feed(frame)
    [heard] = inbox.heard
    assert heard.command is Command.PAIN and heard.check is not None
    assert heard.check.doubted(0.0) == doubted


def test_a_fast_pain_dropped_unheard_stands() -> None:
    second = SecondOpinion(lambda: Hears("down"), Inbox().put, lambda: DURING_ROUTINE)  # type: ignore[arg-type,return-value]
    second._thread = threading.Thread(target=lambda: None)  # started, but never decoding
    check = PainCheckResult()
    pain = Heard(Command.PAIN, "voice", text="ouch", check=check)
    second.offer(Sound(b"", Report(1.0, 1.4, "heard"), pain))
    assert not check.doubted(0.0)
    for _ in range(MAX_WAITING):
        second.offer(sound(None))  # the coach far behind: the oldest sound is dropped
    assert check._settled.is_set() and not check.doubted(0.0)


def test_the_coach_saying_the_word_is_not_obeyed_by_the_second_engine_either() -> None:
    gate = SelfHearingGate(lambda: ("Say next when you are ready.", 0.0), clock=lambda: 11.0)
    assert decide(sound(None), said("next"), DURING_ROUTINE, gate).deliver is None
    assert decide(sound(None), said("stop"), DURING_ROUTINE, gate).deliver is not None


class Hears:
    """A fake engine that hears every utterance as `text`."""

    name = "fake"

    def __init__(self, text: str) -> None:
        self.text = text
        self.decoded = 0

    def decode(self, pcm: bytes) -> Decoded:
        self.decoded += 1
        return said(self.text)


class Inbox:
    def __init__(self) -> None:
        self.heard: list[Heard] = []

    def put(self, heard: Heard) -> None:
        self.heard.append(heard)


@needs_espeak
@pytest.mark.parametrize(
    ("fast", "second", "commands"),
    [
        ("stop", "stop", [Command.STOP]),
        ("stop", "top", [Command.STOP, Command.RESUME]),
        ("next", "repeat", [Command.REPEAT]),  # the fast path's guess is not delivered
        ("help", "stop", [Command.STOP]),
        ("help", "hello", []),
    ],
)
def test_the_listener_acts_on_fast_urgent_words_at_once_and_on_the_second_engines_word(
    fast: str, second: str, commands: list[Command]
) -> None:
    from tests.support import espeak

    inbox = Inbox()
    listener = VoiceListener(inbox, Hears(fast), second=Hears(second))  # type: ignore[arg-type]
    pcm = noise(0.5, seed=1) + espeak.render("hello") + noise(1.0, seed=2)
    for frame in split_frames(pcm):
        listener.feed(frame)
    assert [h.command for h in inbox.heard] == commands
    if Command.RESUME in commands:
        assert inbox.heard[-1].text == STOP_WITHDRAWN


@needs_espeak
def test_the_fast_stop_is_delivered_before_the_second_engine_has_finished() -> None:
    from tests.support import espeak

    release = threading.Event()

    class Slow(Hears):
        def decode(self, pcm: bytes) -> Decoded:
            release.wait(5.0)
            return super().decode(pcm)

    inbox = Inbox()
    listener = VoiceListener(inbox, Hears("stop"), second=Slow("stop"))  # type: ignore[arg-type]
    listener.start()
    try:
        pcm = noise(0.5, seed=1) + espeak.render("hello") + noise(1.0, seed=2)
        for frame in split_frames(pcm):
            listener.on_frame(frame)
        for _ in range(100):
            if inbox.heard:
                break
            threading.Event().wait(0.05)
        assert [h.command for h in inbox.heard] == [Command.STOP]  # Whisper still busy
    finally:
        release.set()
        listener.stop()


def test_without_the_second_engine_the_fast_path_works_alone_and_says_so_once() -> None:
    told: list[str] = []
    inbox = Inbox()

    def missing() -> Hears:
        raise RuntimeError("faster-whisper is not installed\nmore detail")

    second = SecondOpinion(missing, inbox.put, lambda: DURING_ROUTINE, on_unavailable=told.append)
    assert second.hear(sound(None)).deliver is None
    second.offer(sound("next"))  # the fast path's word is taken as it is
    second.offer(sound("stop"))  # already acted on by the listener
    assert told == ["faster-whisper is not installed"]
    assert second.failed and [h.command for h in inbox.heard] == [Command.NEXT]


def test_an_engine_that_breaks_mid_session_leaves_the_fast_path_deciding() -> None:
    told: list[str] = []
    inbox = Inbox()

    class Breaks(Hears):
        def decode(self, pcm: bytes) -> Decoded:
            raise RuntimeError("CTranslate2 ran out of memory")

    second = SecondOpinion(
        lambda: Breaks("x"), inbox.put, lambda: DURING_ROUTINE, on_unavailable=told.append
    )  # type: ignore[arg-type,return-value]
    second.offer(sound("next"))
    second.offer(sound("help"))
    assert [h.command for h in inbox.heard] == [Command.NEXT, Command.HELP]
    assert told == ["CTranslate2 ran out of memory"]


def test_only_a_few_sounds_wait_for_the_second_engine() -> None:
    from voicecoach.listening import second_opinion

    second = SecondOpinion(lambda: Hears("next"), Inbox().put, lambda: DURING_ROUTINE)  # type: ignore[arg-type,return-value]
    second._thread = threading.Thread(target=lambda: None)  # started, but never decoding
    for _ in range(20):
        second.offer(sound(None))
    assert second._sounds.qsize() == second_opinion.MAX_WAITING


@needs_espeak
def test_a_machine_without_whisper_listens_with_pocketsphinx_alone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support import espeak
    from voicecoach.commands import doctor
    from voicecoach.listening import engine as registry
    from voicecoach.listening.second_opinion import SECOND_ENGINE
    from voicecoach.listening.sphinx import SphinxEngine

    monkeypatch.setitem(registry.ENGINES, SECOND_ENGINE, "voicecoach_no_such_module:Engine")
    inbox = Inbox()
    listener = VoiceListener(inbox, SphinxEngine(), second=SECOND_ENGINE)
    pcm = noise(0.5, seed=1) + espeak.render("stop") + noise(1.0, seed=2)
    pcm += espeak.render("repeat") + noise(1.0, seed=3)
    for frame in split_frames(pcm):
        listener.feed(frame)
    assert [h.command for h in inbox.heard] == [Command.STOP, Command.REPEAT]
    assert capsys.readouterr().err.count("listening with PocketSphinx alone") == 1
    result = doctor.check_second_recogniser()
    assert not result.ok and not result.essential and "first alone" in result.detail


class Says(Hears):
    """A fake engine that hears each utterance as the next of `texts`."""

    def __init__(self, *texts: str) -> None:
        super().__init__("")
        self.texts = list(texts)

    def decode(self, pcm: bytes) -> Decoded:
        return said(self.texts.pop(0))


def test_someone_counting_aloud_during_a_pain_score_gives_no_score_after_the_first() -> None:
    from voicecoach.core.asking import SCORE_ANSWERS

    inbox = Inbox()
    second = SecondOpinion(lambda: Says("one", "two", "three", "four"), inbox.put,
                           lambda: SCORE_ANSWERS)  # type: ignore[arg-type,return-value]  # fmt: skip
    for began in (0.0, 1.0, 2.0):  # "one, two, three": half a second apart
        second.hear(sound(None, began=began))
    second.hear(sound(None, began=6.0))  # a number said on its own, later
    assert [h.score for h in inbox.heard] == [1, 4]


@needs_human
@needs_whisper
def test_a_recorded_person_counting_one_two_three_during_a_pain_score_gives_one_score() -> None:
    from voicecoach.core.asking import SCORE_ANSWERS
    from voicecoach.listening.engine import make_engine
    from voicecoach.listening.frames import read_wav
    from voicecoach.listening.sphinx import SphinxEngine

    inbox = Inbox()
    listener = VoiceListener(inbox, SphinxEngine(), expected=lambda: SCORE_ANSWERS,
                             second=make_engine("whisper"))  # fmt: skip
    counting = read_wav(HUMAN / "_speech" / "speechrecognition_one-two-three.wav")
    for frame in split_frames(noise(0.3, seed=3) + counting + noise(1.0, seed=4)):
        listener.feed(frame)
    assert [h.score for h in inbox.heard] == [1]


@needs_human
@needs_whisper
def test_a_recorded_down_the_fast_path_takes_for_ouch_is_asked_about_not_read_red_flags() -> None:
    from voicecoach.listening.engine import make_engine
    from voicecoach.listening.frames import read_wav
    from voicecoach.listening.sphinx import SphinxEngine

    takes = HUMAN.parent / "human-takes" / "down"
    inbox = Inbox()
    listener = VoiceListener(inbox, SphinxEngine(), second=make_engine("whisper"))
    down = read_wav(takes / "sc2test_c0e0f834_0.wav")  # PocketSphinx: "ouch"; Whisper: "down"
    for frame in split_frames(noise(0.3, seed=3) + down + noise(1.0, seed=4)):
        listener.feed(frame)
    [heard] = inbox.heard
    assert heard.command is Command.PAIN and heard.check is not None
    assert heard.check.doubted(0.0)


@needs_human
@needs_whisper
def test_a_recorded_house_whisper_heard_no_words_in_is_asked_about_not_read_red_flags() -> None:
    from voicecoach.listening.engine import make_engine
    from voicecoach.listening.frames import read_wav
    from voicecoach.listening.sphinx import SphinxEngine

    inbox = Inbox()
    listener = VoiceListener(inbox, SphinxEngine(), second=make_engine("whisper"))
    house = read_wav(HUMAN / "_other_words" / "house" / "sc_2aa787cf_1.wav")  # "ouch"; no words
    for frame in split_frames(noise(0.3, seed=3) + house + noise(1.0, seed=4)):
        listener.feed(frame)
    [heard] = inbox.heard
    assert heard.command is Command.PAIN and heard.check is not None
    assert heard.check.doubted(0.0)


class Guesses:
    """A fake word head that makes each sound out as the next of `guesses`."""

    def __init__(self, *guesses: WordGuess) -> None:
        self._guesses = list(guesses)

    def guess(self, pcm: bytes) -> WordGuess:
        return self._guesses.pop(0)


def a_click(fast: str | None = "stop") -> Sound:
    """A short sound the fast path heard as `fast` (its voice is measured: hiss)."""
    return dataclasses.replace(sound(fast, began=1.0), pcm=noise(0.4))


def knock_then(word: bool) -> bytes:
    """A knock, then (if `word`) a word 0.3 s after it, in a quiet hiss."""
    import numpy as np

    from tests.support import espeak

    knock = (np.random.default_rng(5).normal(0, 6000, 2400)).astype(np.int16).tobytes()
    stream = noise(0.5, seed=1) + knock + noise(0.3, seed=2)
    return stream + (espeak.render("hello") if word else b"")


def after(before: Sound) -> Sound:
    """A sound the fast path dropped as too soon after `before` (0.3 s after it ended)."""
    began = before.report.speech_end + 0.3
    return Sound(b"", Report(began, began + 0.4, "too soon after other sound"), None,
                 follows=before.report.speech_end)  # fmt: skip


@pytest.mark.parametrize(
    ("fast", "whisper_first", "commands"),
    [
        (None, "", [Command.STOP]),  # a click Whisper heard nothing in: the stop is heard
        ("stop", "", []),  # its fast stop withdrawn, but a stop was said: the coach stays silent
        (None, "please", []),  # a word before it: part of a sentence
        ("stop", "stop", []),  # a stop stands already: the coach is silent
    ],
)
def test_a_word_too_soon_after_a_sound_that_held_no_word_is_heard(
    fast: str | None, whisper_first: str, commands: list[Command]
) -> None:
    """A click (decoded as "one", or taken for "stop" by the user's takes) made the real
    "stop" just after it "part of a sentence", and it was lost."""
    inbox = Inbox()
    engine = Says(whisper_first, "stop")
    second = SecondOpinion(lambda: engine, inbox.put, lambda: DURING_ROUTINE)  # type: ignore[arg-type,return-value]
    second.word_head = Guesses(WordGuess("noise", 0.97), WordGuess("stop", 0.99))  # type: ignore[assignment]
    click = a_click(fast)
    second.hear(click)
    second.hear(after(click))
    assert [h.command for h in inbox.heard] == commands
    assert len(engine.texts) == (1 if whisper_first else 0)  # after words: not even decoded


@pytest.mark.parametrize(
    ("follower", "expected", "commands"),
    [
        ("stop", DURING_ROUTINE, [Command.PAIN, Command.STOP]),  # the "stop" is acted on
        ("no", YES_NO, [Command.PAIN]),  # must not answer "Are you in pain?"
        ("next", DURING_ROUTINE, [Command.PAIN]),  # nor move the routine on
    ],
)
def test_after_a_click_taken_for_pain_only_a_stop_or_pain_said_just_after_it_counts(
    follower: str, expected: frozenset[Command], commands: list[Command]
) -> None:
    """A take opens with a click PocketSphinx hears as "pain" and Whisper as no words (the
    coach, silent, will ask "Are you in pain?"); the "stop" said 0.4 s after it was part
    of that sound, and lost (human takes across the room at -10 dB)."""
    inbox = Inbox()
    engine = Says("", follower)
    second = SecondOpinion(lambda: engine, inbox.put, lambda: expected)  # type: ignore[arg-type,return-value]
    click = a_click("pain")
    inbox.put(click.fast)  # type: ignore[arg-type]  # the fast path acted on it already
    assert second.hear(click).doubted
    second.hear(after(click))
    assert [h.command for h in inbox.heard] == commands


def test_a_word_too_soon_after_a_sound_whisper_never_heard_is_not_heard() -> None:
    inbox = Inbox()
    second = SecondOpinion(lambda: Hears("stop"), inbox.put, lambda: DURING_ROUTINE)  # type: ignore[arg-type,return-value]
    second.hear(after(sound(None, began=1.0)))
    assert inbox.heard == []


@needs_espeak
def test_the_listener_offers_a_word_too_soon_after_a_click_on_its_own() -> None:
    """Through the VAD: a knock, then "stop" 0.3 s later. PocketSphinx hears the knock as
    "one" (not a command now) and the stop is dropped as too soon after it; Whisper,
    having heard no words in the knock, hears the stop on its own."""
    stream = knock_then(word=True)
    engine = Says("", "stop")
    inbox = Inbox()
    listener = VoiceListener(inbox, Says("one", "hello"), second=engine)  # type: ignore[arg-type]
    for frame in split_frames(stream + noise(1.0, seed=3)):
        listener.feed(frame)
    outcomes = [r.outcome for r in listener.recogniser.recent]
    assert outcomes[-1] == "too soon after other sound"  # the fast path dropped it
    assert [h.command for h in inbox.heard] == [Command.STOP]


@needs_human
@needs_whisper
def test_a_recorded_stop_just_after_a_click_stops_the_coach() -> None:
    """The take opens with a 0.12 s click PocketSphinx decodes as "one"; the "stop" 0.33 s
    after it was dropped as part of a sentence (human takes: one of the three stops
    missed)."""
    from voicecoach.listening.engine import make_engine
    from voicecoach.listening.frames import read_wav
    from voicecoach.listening.sphinx import SphinxEngine

    inbox = Inbox()
    listener = VoiceListener(inbox, SphinxEngine(), second=make_engine("whisper"))
    take = read_wav(HUMAN.parent / "human-takes" / "stop" / "sc2test_c22d3f18_2.wav")
    for frame in split_frames(noise(0.3, seed=3) + take + noise(1.0, seed=4)):
        listener.feed(frame)
    assert [h.command for h in inbox.heard] == [Command.STOP]


def withdrawing(*whisper: str) -> tuple[SecondOpinion, Inbox]:
    """A second engine that hears each sound as the next of `whisper`, with a word head
    that takes the first for noise (a fast "stop" in it is withdrawn) and the rest for
    "stop"."""
    inbox = Inbox()
    second = SecondOpinion(lambda: Says(*whisper), inbox.put, lambda: DURING_ROUTINE)  # type: ignore[arg-type,return-value]
    guesses = [WordGuess("noise", 0.97)] + [WordGuess("stop", 0.99)] * (len(whisper) - 1)
    second.word_head = Guesses(*guesses)  # type: ignore[assignment]
    return second, inbox


def test_a_withdrawn_stop_goes_out_once_no_word_can_follow_it_too_soon() -> None:
    second, inbox = withdrawing("")
    click = a_click()
    assert second.hear(click).withdrawn
    assert inbox.heard == []  # held: a word may follow it too soon
    second.no_follower(click.report.speech_end)
    assert [h.text for h in inbox.heard] == [STOP_WITHDRAWN]


def test_a_withdrawal_decided_after_the_moment_passed_goes_out_at_once() -> None:
    second, inbox = withdrawing("")
    click = a_click()
    second.no_follower(click.report.speech_end)  # the listener is ahead of the second engine
    second.hear(click)
    assert [h.text for h in inbox.heard] == [STOP_WITHDRAWN]


@pytest.mark.parametrize(
    ("said_after", "commands"),
    [
        ("stop", []),
        ("it hurts", [Command.PAIN]),
        ("hello", [Command.RESUME]),
        ("", [Command.RESUME]),
    ],
)
def test_a_word_too_soon_after_a_withdrawn_stop_decides_the_withdrawal(
    said_after: str, commands: list[Command]
) -> None:
    """A "stop" there is the one the coach acted on: it stays silent, nothing more. Pain
    is acted on; anything else, and the withdrawal goes out."""
    second, inbox = withdrawing("", said_after)
    click = a_click()
    second.hear(click)
    second.hear(after(click))
    assert [h.command for h in inbox.heard] == commands


def test_a_withdrawal_said_in_words_is_not_held() -> None:
    """Whisper heard other words ("top"): no word after it is heard, nothing to wait for."""
    second, inbox = withdrawing("top")
    second.hear(a_click())
    assert [h.text for h in inbox.heard] == [STOP_WITHDRAWN]


@needs_espeak
@pytest.mark.parametrize(
    ("said", "commands"),
    [(True, [Command.STOP]), (False, [Command.STOP, Command.RESUME])],
)
def test_the_listener_keeps_a_stop_said_just_after_a_click_it_took_for_one(
    said: bool, commands: list[Command]
) -> None:
    """A knock the fast path takes for "stop" (Whisper withdraws it), and a real "stop"
    0.3 s later: the coach falls silent once and stays so. A knock alone: the withdrawal
    goes out once the moment for a word after it has passed."""
    stream = knock_then(word=said)
    second_engine = Says("", "stop")
    inbox = Inbox()
    listener = VoiceListener(inbox, Says("stop", "hello"), second=second_engine)  # type: ignore[arg-type]
    assert listener.second is not None
    listener.second.load_word_head = lambda: None
    listener.second.word_head = Guesses(WordGuess("noise", 0.97), WordGuess("stop", 0.99))  # type: ignore[assignment]
    for frame in split_frames(stream + noise(1.5, seed=3)):
        listener.feed(frame)
    assert [h.command for h in inbox.heard] == commands


@pytest.mark.parametrize(
    ("fast", "second", "expected", "number"),
    [
        ("pain", "eight", SCORE_QUESTION, 8),  # the fast "pain" may be the number asked for
        ("it hurts", "two", SCORE_QUESTION, 2),
        ("pain", "eight", DURING_ROUTINE, None),  # no question waits for a number
        ("pain", "no", YES_NO, None),  # a real "pain" never answers a red-flag question
        ("pain", "help", SCORE_QUESTION, None),  # not a number: asked about, as before
        ("pain", "pain", SCORE_QUESTION, None),  # a pain word: it stands
    ],
)
def test_a_fast_pain_whisper_heard_as_the_number_asked_for_carries_the_number(
    fast: str, second: str, expected: frozenset[Command], number: int | None
) -> None:
    verdict = decide(sound(fast), said(second), expected, None)
    assert verdict.deliver is None and not verdict.withdrawn  # never dropped, never re-sent
    assert verdict.doubted == (second != "pain")
    assert (verdict.number.score if verdict.number is not None else None) == number


def test_a_pain_check_is_waited_for_once_by_the_question_and_the_red_flag_check() -> None:
    """A question's wait for the second engine's word on a "pain", then the red-flag
    check's, are one wait: "pain" to the first red-flag question is not delayed twice."""
    import time

    check = PainCheckResult()  # never settled: the second engine is far behind
    started = time.monotonic()
    assert check.number_instead(0.5) is None
    assert not check.doubted(0.5)
    assert time.monotonic() - started < 0.8  # 0.5 s once, not 1.0 s


@needs_human
@needs_whisper
def test_a_recorded_eight_the_fast_path_took_for_pain_is_the_score_asked_for() -> None:
    from voicecoach.listening.engine import make_engine
    from voicecoach.listening.frames import read_wav
    from voicecoach.listening.sphinx import SphinxEngine

    eight = read_wav(HUMAN.parent / "human-takes" / "eight" / "sc2test_f9643d42_2.wav")
    inbox = Inbox()
    listener = VoiceListener(inbox, SphinxEngine(), expected=lambda: SCORE_QUESTION,
                             second=make_engine("whisper"))  # fmt: skip
    for frame in split_frames(noise(0.3, seed=3) + eight + noise(1.0, seed=4)):
        listener.feed(frame)
    [heard] = inbox.heard  # PocketSphinx: "pain", at once; Whisper: "eight"
    assert heard.command is Command.PAIN and heard.check is not None
    number = heard.check.number_instead(5.0)
    assert number is not None and number.score == 8
