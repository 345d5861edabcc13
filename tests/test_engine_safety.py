"""The session engine with the real spoken safety check: "pain" at any moment reaches it.

Pain during speech, a cue, a hold and a rest: the coach falls silent, the first red-flag
question starts within a second, and a yes ends the session as urgent, logged.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.fakes import FakeClock, FakeDisplay, FakeListener, FakeSpeaker
from voicecoach.core.asking import ask_pain_score
from voicecoach.core.engine import Engine, Ports, State
from voicecoach.core.plan import build_plan
from voicecoach.core.ports import Command, Heard, NullLog, Outcome
from voicecoach.core.redflags import URGENT_FLAGS
from voicecoach.core.routines import load_catalogue
from voicecoach.core.safety import SpokenSafetyCheck
from voicecoach.core.settings import SessionSettings


class WatchedSpeaker(FakeSpeaker):
    """A FakeSpeaker that can run a hook as each line or cue starts."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock)
        self.on_start: list[Callable[[str], None]] = []

    def say(self, text: str) -> bool:
        for hook in self.on_start:
            hook(text)
        return super().say(text)

    def cue(self, name: str) -> bool:
        for hook in self.on_start:
            hook(f"<{name}>")
        return super().cue(name)


class Session:
    def __init__(self, ask_pain_scores: bool = False) -> None:
        self.clock = FakeClock()
        self.speaker = WatchedSpeaker(self.clock)
        self.listener = FakeListener(self.clock, self.speaker)
        self.display = FakeDisplay()
        self.log = NullLog()
        settings = SessionSettings(ask_pain_scores=ask_pain_scores)
        plan = build_plan(load_catalogue().routines["gentle"], settings)
        safety = SpokenSafetyCheck(self.speaker, self.listener, self.clock, self.display, self.log)
        ports = Ports(
            self.speaker,
            self.listener,
            self.clock,
            self.display,
            self.log,
            safety,
            ask_pain_score=lambda when, listener: ask_pain_score(
                self.speaker, listener, self.log, when, self.display
            ),
        )
        self.engine = Engine(plan, settings, ports)
        self.listener.answer_when_said("Say next when", Command.NEXT, delay=1.0, times=20)
        self.pain_at: list[tuple[float, State]] = []

    def pain(self, when: float) -> None:
        """Say "pain" at fake time `when`, noting what the engine was doing."""

        def deliver() -> None:
            self.pain_at.append((self.clock.now(), self.engine.state))
            self.listener.deliver(Heard(Command.PAIN, "voice", text="pain"))

        self.clock.at(when, deliver)

    def pain_once(self, fragment: str, delay: float, at_start: bool) -> None:
        """Say "pain" `delay` s after the first line containing `fragment` starts (or ends)."""
        fired = [False]

        def hook(text: str) -> None:
            if not fired[0] and fragment.lower() in text.lower():
                fired[0] = True
                self.pain(self.clock.now() + delay)

        (self.speaker.on_start if at_start else self.speaker.on_said).append(hook)


MOMENTS = {
    # name: (fragment, seconds after, from the line's start?, engine state expected)
    "speech": ("Tighten your stomach muscles", 0.8, True, State.SPEAKING),
    "cue": ("<", 0.1, True, State.SPEAKING),
    "hold": ("Slowly pull your left knee", 5.0, False, State.HOLDING),
    "rest": ("Rest on your back with your knees bent", 3.0, False, State.RESTING),
}


@pytest.mark.parametrize("moment", sorted(MOMENTS))
def test_pain_at_any_moment_reaches_the_red_flag_check(moment: str) -> None:
    fragment, delay, at_start, state = MOMENTS[moment]
    s = Session()
    s.pain_once(fragment, delay, at_start)
    s.listener.answer_when_said(URGENT_FLAGS[0].question, Command.YES)

    assert s.engine.run() is Outcome.URGENT

    ((pain_time, engine_state),) = s.pain_at
    assert engine_state is state
    question = s.speaker.first(URGENT_FLAGS[0].question)
    assert pain_time <= question.at <= pain_time + 1.0
    if at_start:  # the line or cue that was playing was cut off at once
        playing = s.speaker.first(fragment)
        assert not playing.finished and playing.ended == pytest.approx(pain_time)
    assert s.speaker.texts()[-1] == URGENT_FLAGS[0].advice
    assert ("red_flag", {"flag": URGENT_FLAGS[0].id, "answer": "yes"}) in s.log.events
    assert s.log.outcome == "urgent"


def test_pain_while_asked_for_a_pain_score_is_not_swallowed_by_the_question() -> None:
    s = Session(ask_pain_scores=True)
    s.pain_once("how bad is the pain", 1.0, at_start=False)
    s.listener.answer_when_said(URGENT_FLAGS[0].question, Command.YES)

    assert s.engine.run() is Outcome.URGENT

    ((pain_time, _),) = s.pain_at
    question = s.speaker.first(URGENT_FLAGS[0].question)
    assert pain_time <= question.at <= pain_time + 1.0
    assert not any(kind == "pain_score" for kind, _ in s.log.events)


def answer_all_clear_and_resume(s: Session) -> None:
    """After "pain": no to every red flag and to both offers, then "resume"."""
    for flag in URGENT_FLAGS:
        s.listener.answer_when_said(flag.question, Command.NO)
    s.listener.answer_when_said("Would you like the rest position", Command.NO)
    s.listener.answer_when_said("Would you like a cold or heat", Command.NO)
    s.listener.answer_when_said("Say resume", Command.RESUME)


def test_all_no_and_resume_finishes_the_routine_with_pain_scores_logged() -> None:
    s = Session(ask_pain_scores=True)
    s.listener.answer_when_said("how bad is the pain", Command.SCORE, score=5, times=3)
    s.pain_once("Slowly pull your left knee", 5.0, at_start=False)
    answer_all_clear_and_resume(s)

    assert s.engine.run() is Outcome.COMPLETED
    scores = [data["when"] for kind, data in s.log.events if kind == "pain_score"]
    assert scores == ["start", "after_pain", "end"]


def test_every_line_the_coach_says_is_on_screen_and_resume_shows_the_exercise_again() -> None:
    s = Session()
    s.pain_once("Slowly pull your left knee", 1.0, at_start=True)
    s.listener.answer_when_said("how bad is the pain", Command.SKIP)
    answer_all_clear_and_resume(s)
    assert s.engine.run() is Outcome.COMPLETED

    assert "Carrying on." in s.display.statuses  # the coach's own line is shown too
    texts = s.display.texts
    last_question = max(i for i, text in enumerate(texts) if "Would you like" in text)
    # After the check, the panel shows the exercise again, not the last question.
    assert "Slowly pull your left knee" in texts[last_question + 1]
    counts = {"Ten.", "Twenty."}
    assert not counts & set(s.display.statuses)  # counts are shown by the bar, not as text
