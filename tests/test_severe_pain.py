"""Severe pain means rest, not exercise (issue 11, point 3): the care text moves people only
"once severe pain subsides", and a rest never costs the person the way to get up."""

from __future__ import annotations

from tests.test_engine_safety import Session
from voicecoach.core import lines
from voicecoach.core.ports import Command, Heard, Outcome
from voicecoach.core.redflags import URGENT_FLAGS

FIRST_MOVEMENT = "Slowly pull your left knee"


def severe_session(start: int, end: int = 2) -> Session:
    s = Session(ask_pain_scores=True)
    asked: list[str] = []

    def answer_score(text: str) -> None:  # the start score, then the end score
        if "how bad is the pain" in text.lower():
            score = start if not asked else end
            asked.append(text)
            s.clock.at(
                s.clock.now() + 3.0,
                lambda: s.listener.deliver(Heard(Command.SCORE, "voice", score=score)),
            )

    s.speaker.on_start.append(answer_score)
    for flag in URGENT_FLAGS:
        s.listener.answer_when_said(flag.question, Command.NO)
    return s


def said(s: Session, fragment: str) -> bool:
    return any(fragment.lower() in text.lower() for text in s.speaker.texts())


def test_a_severe_score_at_the_start_leads_to_rest_not_exercise() -> None:
    s = severe_session(start=9)
    s.listener.answer_when_said("try the movements anyway", Command.NO)

    assert s.engine.run() is Outcome.STOPPED_FOR_PAIN
    assert said(s, "9 is severe pain")
    assert said(s, URGENT_FLAGS[0].question)  # the red-flag check is offered first
    assert said(s, "Lie on your back with your knees bent")
    assert said(s, "use the log roll")  # how to get up, even though nothing was exercised
    assert not said(s, FIRST_MOVEMENT)


def test_no_answer_to_move_anyway_means_rest() -> None:
    s = severe_session(start=8)
    assert s.engine.run() is Outcome.STOPPED_FOR_PAIN
    assert not said(s, FIRST_MOVEMENT)


def test_the_person_can_still_choose_to_move() -> None:
    s = severe_session(start=7)
    s.listener.answer_when_said("try the movements anyway", Command.YES)
    assert s.engine.run() is Outcome.COMPLETED
    assert said(s, FIRST_MOVEMENT)


def test_a_moderate_score_goes_straight_into_the_routine() -> None:
    s = severe_session(start=lines.SEVERE_PAIN_FROM - 1)
    assert s.engine.run() is Outcome.COMPLETED
    assert not said(s, "severe pain")
    assert not said(s, URGENT_FLAGS[0].question)


def test_a_severe_score_at_the_end_gets_the_check_and_the_rest_position() -> None:
    s = severe_session(start=3, end=8)
    assert s.engine.run() is Outcome.COMPLETED
    spoken = s.speaker.texts()
    end_question = max(i for i, t in enumerate(spoken) if "how bad is the pain" in t.lower())
    after = " ".join(spoken[end_question:])
    assert "8 is severe pain" in after
    assert URGENT_FLAGS[0].question in after
    assert "Lie on your back with your knees bent" in after


def test_a_rest_after_pain_during_the_log_roll_still_teaches_the_log_roll() -> None:
    s = Session()
    s.pain_once("use the log roll", 1.0, at_start=True)
    for flag in URGENT_FLAGS:
        s.listener.answer_when_said(flag.question, Command.NO)
    s.listener.answer_when_said("how bad is the pain", Command.SCORE, score=4)
    s.listener.answer_when_said("Would you like the rest position", Command.YES)

    assert s.engine.run() is Outcome.COMPLETED
    spoken = s.speaker.texts()
    rest_over = spoken.index(lines.REST_OVER)
    after_rest = " ".join(spoken[rest_over:])
    assert "First roll onto your side." in after_rest
    assert "push yourself up with your arms" in after_rest
