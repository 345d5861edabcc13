"""Commands that cost something are confirmed by voice: a misheard "quit" must not end
the session, a misheard "skip" must not lose an exercise, a misheard number must not be
logged as the pain score. Keys act at once."""

from __future__ import annotations

from tests.fakes import FakeClock, FakeListener, FakeSpeaker
from tests.test_engine import Session
from voicecoach.core.asking import AskSettings, ask_pain_score
from voicecoach.core.ports import AfterCheck, Command, NullLog, Outcome


def quit_said_then(answer: Command, **settings: AfterCheck) -> Session:
    """A session where "quit" is said during a hold, and `answer` to what follows."""
    s = Session(**settings)
    s.answer_ready()
    s.listener.answer_when_said("left knee toward", Command.QUIT, delay=2.0, source="voice")
    s.listener.answer_when_said("Quit the session?", answer, delay=0.5, source="voice")
    return s


def test_a_spoken_quit_is_asked_about_and_a_no_carries_on() -> None:
    s = quit_said_then(Command.NO)
    assert s.run() is Outcome.COMPLETED
    assert "Quit the session?" in s.speaker.texts()
    assert [h["side"] for h in s.holds()] == ["left", "right"]


def test_a_spoken_quit_confirmed_with_yes_ends_the_session() -> None:
    s = quit_said_then(Command.YES)
    assert s.run() is Outcome.QUIT
    assert s.log.outcome == "quit"
    assert not any("log roll" in t for t in s.speaker.texts())


def test_a_spoken_skip_with_no_answer_is_not_acted_on() -> None:
    s = Session()
    s.answer_ready()
    s.listener.answer_when_said("left knee toward", Command.SKIP, delay=2.0, source="voice")
    assert s.run() is Outcome.COMPLETED
    assert "Skip this exercise?" in s.speaker.texts()
    assert [h["side"] for h in s.holds()] == ["left", "right"]  # both sides still held


def test_keys_quit_and_skip_at_once() -> None:
    s = Session()
    s.answer_ready()
    s.listener.answer_when_said("pelvic tilt", Command.QUIT, delay=0.5)
    assert s.run() is Outcome.QUIT
    assert "Quit the session?" not in s.speaker.texts()


def test_pain_said_to_the_quit_question_goes_to_the_safety_check() -> None:
    s = quit_said_then(Command.PAIN, safety=AfterCheck.RESUME)
    assert s.run() is Outcome.COMPLETED  # not quit: the person was in pain, then carried on
    assert s.safety is not None and [call for call, _ in s.safety.calls] == ["pain"]


def pain_score_conversation() -> tuple[FakeSpeaker, FakeListener]:
    clock = FakeClock()
    speaker = FakeSpeaker(clock)
    return speaker, FakeListener(clock, speaker)


def test_a_pain_score_is_read_back_and_a_no_asks_for_it_again() -> None:
    speaker, listener = pain_score_conversation()
    listener.answer_when_said("how bad is the pain", Command.SCORE, score=9, source="voice")
    listener.answer_when_said("I heard nine. Noted.", Command.NO, source="voice")
    listener.answer_when_said("I need a number", Command.SCORE, score=5, source="voice")
    log = NullLog()
    assert ask_pain_score(speaker, listener, log, "start", settings=AskSettings(5.0, 2)) == 5
    assert "I heard five. Noted." in speaker.texts()
    assert [data["score"] for kind, data in log.events if kind == "pain_score"] == [5]


def test_a_pain_score_read_back_and_not_corrected_is_kept() -> None:
    speaker, listener = pain_score_conversation()
    listener.answer_when_said("how bad is the pain", Command.SCORE, score=4, source="voice")
    log = NullLog()
    assert ask_pain_score(speaker, listener, log, "end", settings=AskSettings(5.0, 2)) == 4
    assert speaker.texts()[-1] == "I heard four. Noted."
