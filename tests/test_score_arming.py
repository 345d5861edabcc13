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


def test_care_commands_arm_numbers_only_for_the_question_too(monkeypatch):
    """`redflags`, `therapy` and the rest listen as a routine does: a number heard while
    a cold pack runs is not a pain score."""
    import voicecoach.session as session
    from voicecoach.care_io import open_care_io

    armed: list[bool] = []

    class FakeListener:
        arm_scores = staticmethod(armed.append)

        def stop(self) -> None:
            pass

    def listening(options, inbox, speaker):
        return session._Voice(FakeListener(), FakeListener())

    monkeypatch.setattr(session, "start_listening", listening)
    with open_care_io(listen=True, speak=False, time_scale=0.001) as io:
        assert io.listening and armed == [False]
        io.speaker.say(PAIN_SCORE_QUESTION)
        assert armed[-1] is True
        io.speaker.say("Thank you.")
        assert armed[-1] is False
