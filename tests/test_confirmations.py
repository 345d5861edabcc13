"""Commands that cost something are confirmed by voice: a misheard "quit" must not end
the session, a misheard "skip" must not lose an exercise, a misheard number must not be
logged as the pain score. Keys act at once."""

from __future__ import annotations

import pytest

from tests.fakes import FakeClock, FakeListener, FakeSpeaker
from tests.test_engine import Session
from tests.test_engine_safety import Session as EngineSession
from voicecoach.core import lines
from voicecoach.core.asking import AskSettings, UrgentHeard, ask_pain_score
from voicecoach.core.ports import AfterCheck, Command, Heard, NullLog, Outcome
from voicecoach.core.redflags import URGENT_FLAGS
from voicecoach.listening.second_opinion import PainCheckResult


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


def pain_said_after_the_question(
    number: int | None, reply: Command | None = None
) -> tuple[FakeSpeaker, FakeListener, Heard]:
    """A pain score asked for; a spoken "pain" comes, which the second recogniser heard
    as `number` (or as other words: None); `reply` to "Did you say ...?"."""
    speaker, listener = pain_score_conversation()
    check = PainCheckResult()
    heard_as = Heard(Command.SCORE, "voice", score=number) if number is not None else None
    check.settle(doubted=True, number=heard_as)
    pain = Heard(Command.PAIN, "voice", text="pain", check=check)

    def hook(text: str) -> None:
        if "how bad is the pain" in text.lower():
            listener.clock.at(listener.clock.now() + 0.5, lambda: listener.deliver(pain))

    speaker.on_said.append(hook)
    if reply is not None:
        listener.answer_when_said("Did you say", reply, source="voice")
    return speaker, listener, pain


def test_a_number_the_fast_recogniser_took_for_pain_is_asked_about_a_yes_makes_it_the_score() -> (
    None
):
    """ "eight": PocketSphinx "pain", Whisper "eight" (3 of the human takes' 117 numbers):
    "Did you say eight?", and a yes logs it, rather than "Are you in pain?"."""
    speaker, listener, _ = pain_said_after_the_question(8, Command.YES)
    log = NullLog()
    assert ask_pain_score(speaker, listener, log, "start", settings=AskSettings(5.0, 2)) == 8
    assert speaker.texts()[-2:] == ["Did you say eight?", "Noted."]
    assert [data["score"] for kind, data in log.events if kind == "pain_score"] == [8]


@pytest.mark.parametrize("reply", [Command.NO, None])
def test_a_pain_heard_as_a_number_not_confirmed_goes_straight_to_the_red_flags(
    reply: Command | None,
) -> None:
    """Whisper writes a real "pain" as a number now and then: on a no, or no answer, the
    "pain" stands, no longer doubted (no "Are you in pain?" after "Did you say five?")."""
    speaker, listener, pain = pain_said_after_the_question(5, reply)
    log = NullLog()
    with pytest.raises(UrgentHeard) as raised:
        ask_pain_score(speaker, listener, log, "start", settings=AskSettings(5.0, 2))
    assert raised.value.heard.command is Command.PAIN and raised.value.heard.check is None
    assert "Did you say five?" in speaker.texts()
    assert not [kind for kind, _ in log.events if kind == "pain_score"]


def test_a_pain_the_second_recogniser_heard_no_number_in_stops_the_question_as_before() -> None:
    speaker, listener, pain = pain_said_after_the_question(None)
    with pytest.raises(UrgentHeard) as raised:
        ask_pain_score(speaker, listener, NullLog(), "start", settings=AskSettings(5.0, 2))
    assert raised.value.heard is pain  # still doubted: "Are you in pain?" comes next
    assert not any(text.startswith("Did you say") for text in speaker.texts())


def a_session_whose_start_score_is_heard_as_pain(reply: Command) -> EngineSession:
    """A `gentle` session asking for scores; the start score "two" reaches the coach as a
    fast "it hurts" Whisper heard as "two"; `reply` to "Did you say two?"; every red flag
    answered no, and the end score a plain 2."""
    s = EngineSession(ask_pain_scores=True)
    check = PainCheckResult()
    check.settle(doubted=True, number=Heard(Command.SCORE, "voice", score=2, text="two"))
    first = Heard(Command.PAIN, "voice", text="it hurts", check=check)
    asked: list[str] = []

    def answer_score(text: str) -> None:
        if "how bad is the pain" in text.lower():
            heard = first if not asked else Heard(Command.SCORE, "voice", score=2)
            asked.append(text)
            s.clock.at(s.clock.now() + 3.0, lambda: s.listener.deliver(heard))

    s.speaker.on_start.append(answer_score)
    s.listener.answer_when_said("Did you say two?", reply, source="voice")
    for flag in URGENT_FLAGS:
        s.listener.answer_when_said(flag.question, Command.NO)
    return s


def test_a_start_score_heard_as_pain_and_confirmed_starts_the_routine_with_no_red_flags() -> None:
    s = a_session_whose_start_score_is_heard_as_pain(Command.YES)
    s.engine.run()
    said = s.speaker.texts()
    assert "Did you say two?" in said
    assert not any(flag.question in text for flag in URGENT_FLAGS for text in said)
    assert not any(lines.ARE_YOU_IN_PAIN in text for text in said)
    assert any("Slowly pull your left knee" in text for text in said)  # the routine went on
    scores = [data for kind, data in s.log.events if kind == "pain_score"]
    assert scores[0] == {"when": "start", "score": 2}


def test_a_start_score_heard_as_pain_and_denied_reads_the_red_flags_at_once() -> None:
    s = a_session_whose_start_score_is_heard_as_pain(Command.NO)
    s.engine.run()
    said = s.speaker.texts()
    asked_two = said.index("Did you say two?")
    after = said[asked_two + 1 :]
    assert URGENT_FLAGS[0].question in after[0]  # the "pain" stood: its red flags, at once
    assert not any(lines.ARE_YOU_IN_PAIN in text for text in said)  # no longer in doubt
