"""The spoken safety flow, driven with fakes on a fake clock and scripted answers."""

from __future__ import annotations

import pytest

from tests.care_support import CareRig
from voicecoach.core.asking import ask_pain_score
from voicecoach.core.ports import AfterCheck, Command, Heard
from voicecoach.core.redflags import SEEK_HELP_NOW, URGENT_FLAGS
from voicecoach.core.safety import SpokenSafetyCheck, phrases_to_prerender

Rig = CareRig


@pytest.mark.parametrize("index", range(len(URGENT_FLAGS)))
def test_each_red_flag_yes_ends_with_urgent_advice_and_log_names_it(index: int) -> None:
    rig = Rig()
    for flag in URGENT_FLAGS[:index]:
        rig.answer(flag.question, Command.NO)
    flag = URGENT_FLAGS[index]
    rig.answer(flag.question, Command.YES)

    assert rig.safety.on_pain() is AfterCheck.URGENT

    assert rig.speaker.texts()[-1] == flag.advice
    assert "seek medical help immediately" in flag.advice.lower()
    assert rig.events("red_flag")[-1] == {"flag": flag.id, "answer": "yes"}
    assert rig.events("advice") == [{"flag": flag.id, "text": flag.advice}]
    # Questions after the yes are not asked: the advice comes at once.
    for later in URGENT_FLAGS[index + 1 :]:
        assert later.question not in rig.said()


def test_unclear_answers_read_every_flag_and_never_assume_no() -> None:
    rig = Rig()  # nobody answers
    assert rig.safety.on_pain() is AfterCheck.END
    first = URGENT_FLAGS[0].question
    assert sum(first in text for text in rig.speaker.texts()) == 2  # asked, repeated once
    for flag in URGENT_FLAGS:
        assert flag.statement in rig.said()
    assert SEEK_HELP_NOW in rig.said()
    assert rig.events("red_flag") == [{"flag": URGENT_FLAGS[0].id, "answer": "unclear"}]
    assert rig.events("red_flags_read") == [{"reason": "unclear"}]
    assert rig.events("safety_outcome")[-1]["choice"] == "end"


def test_an_unrelated_word_repeats_the_question_then_a_clear_answer_counts() -> None:
    rig = Rig()
    first = URGENT_FLAGS[0].question
    rig.answer(first, Command.NEXT)  # unrelated: the question is asked again
    rig.answer("Please answer", Command.YES)
    assert rig.safety.on_pain() is AfterCheck.URGENT
    assert rig.events("red_flag") == [{"flag": URGENT_FLAGS[0].id, "answer": "yes"}]


def test_a_late_unclear_answer_still_reads_every_flag() -> None:
    rig = Rig()
    rig.answer(URGENT_FLAGS[0].question, Command.NO)
    rig.answer(URGENT_FLAGS[1].question, Command.NO)
    assert rig.safety.on_pain() is AfterCheck.END
    for flag in URGENT_FLAGS:
        assert flag.statement in rig.said()


def test_every_wait_is_bounded() -> None:
    rig = Rig()
    rig.safety.on_stop()
    assert rig.listener.waits and all(0 <= w <= 60 for w in rig.listener.waits)
    assert rig.clock.now() < 15 * 60


def test_all_no_asks_a_pain_score_then_offers_rest() -> None:
    rig = Rig()
    rig.answer_all_flags_no()
    rig.answer("how bad is the pain", Command.SCORE, score=6)
    rig.answer("Would you like the rest position", Command.YES)
    assert rig.safety.on_pain() is AfterCheck.REST
    assert rig.events("pain_score") == [{"when": "after_pain", "score": 6}]
    assert [e["answer"] for e in rig.events("red_flag")] == ["no"] * len(URGENT_FLAGS)
    assert "seek medical help" not in rig.said().lower()


def test_pain_score_can_be_skipped() -> None:
    rig = Rig()
    rig.answer("how bad is the pain", Command.SKIP)
    assert ask_pain_score(rig.speaker, rig.listener, rig.log, "start") is None
    assert rig.events("pain_score") == []


def test_pain_score_out_of_range_is_asked_again() -> None:
    rig = Rig()
    rig.answer("how bad is the pain", Command.SCORE, score=11)
    rig.answer("I need a number", Command.SCORE, score=3)
    assert ask_pain_score(rig.speaker, rig.listener, rig.log, "end") == 3
    assert rig.events("pain_score") == [{"when": "end", "score": 3}]


def test_after_all_no_the_exercise_is_not_resumed_without_resume() -> None:
    rig = Rig()
    rig.pass_the_check()
    # Nobody answers the offers: the session ends; it never resumes on its own.
    assert rig.safety.on_pain() is AfterCheck.END


def test_resume_only_when_said() -> None:
    rig = Rig()
    rig.pass_the_check()
    rig.answer("Would you like the rest position", Command.NO)
    rig.answer("Would you like a cold or heat", Command.NO)
    rig.answer("Say resume", Command.RESUME)
    assert rig.safety.on_pain() is AfterCheck.RESUME


def test_resume_said_at_an_offer_answers_outright() -> None:
    rig = Rig()
    rig.pass_the_check()
    rig.answer("Would you like the rest position", Command.SKIP)
    assert rig.safety.on_pain() is AfterCheck.SKIP


@pytest.mark.parametrize(
    ("hours", "therapy", "command"),
    [(10.0, "cold", "therapy cold"), (80.0, "heat", "therapy heat"), (None, "cold or heat", "")],
)
def test_cold_or_heat_session_follows_the_episode(
    hours: float | None, therapy: str, command: str
) -> None:
    rig = Rig(episode_hours=hours)
    rig.pass_the_check()
    rig.answer("Would you like the rest position", Command.NO)
    rig.answer("Would you like a cold or heat", Command.YES)
    assert rig.safety.on_pain() is AfterCheck.END
    assert rig.safety.requested_therapy is not None
    assert rig.safety.requested_therapy.value == therapy
    assert rig.events("safety_outcome")[-1] == {"choice": "end", "therapy": therapy}
    assert command in rig.said()


def test_stop_then_yes_in_pain_runs_the_check() -> None:
    rig = Rig()
    rig.answer("Are you in pain?", Command.YES)
    rig.answer(URGENT_FLAGS[0].question, Command.YES)
    assert rig.safety.on_stop() is AfterCheck.URGENT
    assert rig.events("in_pain") == [{"answer": "yes"}]


def test_stop_then_no_offers_resume() -> None:
    rig = Rig()
    rig.answer("Are you in pain?", Command.NO)
    rig.answer("Say resume to carry on", Command.RESUME)
    assert rig.safety.on_stop() is AfterCheck.RESUME
    assert URGENT_FLAGS[0].question not in rig.said()


def test_stop_then_no_then_quit_ends() -> None:
    rig = Rig()
    rig.answer("Are you in pain?", Command.NO)
    rig.answer("Say resume to carry on", Command.QUIT)
    assert rig.safety.on_stop() is AfterCheck.END


def test_stop_with_nobody_there_stays_paused_then_ends_never_resumes() -> None:
    rig = Rig()
    assert rig.safety.on_stop() is AfterCheck.END
    assert sum("Still paused" in t for t in rig.speaker.texts()) == 3
    assert rig.events("in_pain") == [{"answer": "unclear"}]


def test_pain_said_while_are_you_in_pain_is_spoken_reaches_the_check() -> None:
    rig = Rig()
    rig.listener.command_at(1.0, Command.PAIN)  # mid-line: cuts the question off
    rig.answer(URGENT_FLAGS[0].question, Command.YES)
    assert rig.safety.on_stop() is AfterCheck.URGENT
    question = rig.speaker.first("Are you in pain?")
    assert question.at < 1.0 and not question.finished


def test_pain_said_in_silence_while_paused_reaches_the_check() -> None:
    rig = Rig()
    rig.answer("Are you in pain?", Command.NO)
    rig.answer("Say resume to carry on", Command.PAIN, delay=5.0)
    rig.answer(URGENT_FLAGS[0].question, Command.YES)
    assert rig.safety.on_stop() is AfterCheck.URGENT


def test_an_answer_heard_twice_does_not_answer_the_next_question() -> None:
    rig = Rig()
    rig.answer(URGENT_FLAGS[0].question, Command.NO)
    rig.answer(URGENT_FLAGS[0].question, Command.NO)  # the recogniser heard "no" twice
    assert rig.safety.on_pain() is AfterCheck.END  # second question unanswered: read all
    assert rig.events("red_flag")[1] == {"flag": URGENT_FLAGS[1].id, "answer": "unclear"}
    assert URGENT_FLAGS[2].statement in rig.said()


def test_on_keys_only_the_coach_names_the_keys_that_work() -> None:
    rig = Rig()
    rig.safety = SpokenSafetyCheck(
        rig.speaker, rig.listener, rig.clock, rig.display, rig.log, listening=False
    )
    rig.answer("Are you in pain?", Command.NO)
    rig.answer("Still paused", Command.RESUME)
    assert rig.safety.on_stop() is AfterCheck.RESUME
    said = rig.said()
    assert "Press c to carry on, or press q to end. If you're in pain, press p." in said
    assert "say" not in said.lower()


@pytest.mark.parametrize("listening", [True, False])
def test_the_first_question_after_pain_is_one_of_the_prerendered_phrases(listening: bool) -> None:
    rig = Rig()
    rig.safety = SpokenSafetyCheck(
        rig.speaker, rig.listener, rig.clock, rig.display, rig.log, listening=listening
    )
    rig.answer(URGENT_FLAGS[0].question, Command.YES)
    rig.safety.on_pain()
    first, advice = rig.speaker.texts()
    assert first.startswith(URGENT_FLAGS[0].question)
    assert {first, advice} <= set(phrases_to_prerender(listening))


@pytest.mark.parametrize("when", [0.2, 1.5])  # while "Paused." is said; during the question
def test_a_stop_the_listener_takes_back_is_said_and_the_exercise_carries_on(when: float) -> None:
    from voicecoach.core.ports import STOP_WITHDRAWN, Heard

    rig = Rig()
    withdrawn = Heard(Command.RESUME, source="voice", text=STOP_WITHDRAWN)
    rig.listener.clock.at(when, lambda: rig.listener.deliver(withdrawn))
    assert rig.safety.on_stop() is AfterCheck.RESUME  # the caller then says "Carrying on."
    assert "Still paused" not in rig.said()
    if when < 1.0:  # taken back before the question: said why the coach goes on
        assert "I heard stop by mistake." in rig.said()
    assert URGENT_FLAGS[0].question not in rig.said()
    assert rig.events("safety_outcome")[-1] == {"choice": "resume"}


class _SecondWord:
    """A second recogniser's word on a fast "pain" (ports.PainCheck), already given."""

    def __init__(self, doubted: bool) -> None:
        self.answer = doubted
        self.waited: list[float] = []

    def doubted(self, within: float) -> bool:
        self.waited.append(within)
        return self.answer

    def number_instead(self, within: float) -> Heard | None:
        return None


def _fast_pain(doubted: bool) -> tuple[Heard, _SecondWord]:
    check = _SecondWord(doubted)
    return Heard(Command.PAIN, source="voice", text="ouch", check=check), check


def test_a_pain_the_second_recogniser_heard_as_other_words_is_asked_about_no_carries_on() -> None:
    rig = Rig()
    heard, check = _fast_pain(doubted=True)
    rig.answer("Are you in pain?", Command.NO)
    assert rig.safety.on_pain(heard) is AfterCheck.RESUME  # the caller says "Carrying on."
    assert rig.speaker.texts() == ["Are you in pain?", "I heard pain by mistake."]
    assert rig.events("pain_doubted") == [{}]
    assert check.waited == [rig.safety.settings.pain_check_seconds]


@pytest.mark.parametrize("answer", [Command.YES, Command.PAIN, None])
def test_a_doubted_pain_goes_to_the_red_flags_on_yes_pain_or_no_answer(
    answer: Command | None,
) -> None:
    rig = Rig()
    heard, _ = _fast_pain(doubted=True)
    if answer is not None:
        rig.answer("Are you in pain?", answer)
    rig.answer(URGENT_FLAGS[0].question, Command.YES)
    assert rig.safety.on_pain(heard) is AfterCheck.URGENT
    said = rig.speaker.texts()
    assert said[0] == "Are you in pain?"
    assert "I heard pain by mistake." not in said
    assert said[-1] == URGENT_FLAGS[0].advice


def test_a_pain_the_second_recogniser_confirmed_goes_straight_to_the_red_flags() -> None:
    rig = Rig()
    heard, _ = _fast_pain(doubted=False)
    rig.answer(URGENT_FLAGS[0].question, Command.YES)
    assert rig.safety.on_pain(heard) is AfterCheck.URGENT
    assert rig.speaker.texts()[0].startswith(URGENT_FLAGS[0].question)
    assert "Are you in pain?" not in rig.said()


def test_a_doubted_pain_during_the_red_flag_check_starts_it_again_without_asking() -> None:
    from voicecoach.core.urgent import respond

    rig = Rig()
    doubted, _ = _fast_pain(doubted=True)
    first = URGENT_FLAGS[0].question
    asked = [0]

    def pain_then_yes(text: str) -> None:  # "pain" said over the first question, then yes
        if first in text:
            asked[0] += 1
            answer = doubted if asked[0] == 1 else Heard(Command.YES)
            rig.clock.at(rig.clock.now() + 0.5, lambda: rig.listener.deliver(answer))

    rig.speaker.on_said.append(pain_then_yes)
    start, _ = _fast_pain(doubted=False)
    assert respond(rig.safety, start) is AfterCheck.URGENT
    said = rig.speaker.texts()
    assert "Are you in pain?" not in said  # already checking for pain: not asked about
    assert sum(first in text for text in said) == 2  # the check began again
