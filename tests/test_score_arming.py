"""Numbers are heard as pain scores only while the coach is asking for one."""

from __future__ import annotations

from fakes import FakeClock, FakeSpeaker

from voicecoach.asking import PAIN_SCORE_AGAIN, PAIN_SCORE_QUESTION
from voicecoach.session import ScoresArmedWhenAsked


def test_numbers_are_armed_only_from_the_question_to_the_next_line():
    armed: list[bool] = []
    speaker = ScoresArmedWhenAsked(FakeSpeaker(FakeClock()), armed.append)
    assert armed == [False]  # off from the start: counts and noise are not scores
    speaker.say("Lie on your back.")
    speaker.say(PAIN_SCORE_QUESTION + " Say a number, or say skip.")
    assert armed[-1] is True
    speaker.say("Thank you.")
    assert armed[-1] is False
    speaker.say(PAIN_SCORE_AGAIN)
    assert armed[-1] is True
    assert speaker.duration("Thank you.") > 0  # everything else passes straight through
