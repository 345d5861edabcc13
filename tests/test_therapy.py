"""The cold/heat timer on a fake clock: limits, halfway and end words, pause, pain."""

from __future__ import annotations

import pytest

from tests.care_support import CareRig
from voicecoach.core.lines import spoken_minutes
from voicecoach.core.ports import Command, Outcome
from voicecoach.core.redflags import URGENT_FLAGS
from voicecoach.core.therapy import TherapyError, TherapyPlan, plan_therapy


class Rig(CareRig):
    def run(self, plan: TherapyPlan) -> Outcome:
        return self.run_therapy(plan)

    def timer_start(self) -> float:
        """When the timer began counting: the end of the opening line."""
        return self.speaker.spoken[0].ended


@pytest.mark.parametrize("minutes", [20.5, 21, 30, 60])
def test_cold_refuses_more_than_20_minutes(minutes: float) -> None:
    with pytest.raises(TherapyError, match="20 minutes"):
        plan_therapy("cold", minutes)


def test_cold_accepts_15_to_20_minutes_and_defaults_to_15() -> None:
    assert plan_therapy("cold", 20).minutes == 20
    assert plan_therapy("cold").minutes == 15


def test_heat_needs_minutes_because_the_seed_gives_none() -> None:
    with pytest.raises(TherapyError, match="--minutes"):
        plan_therapy("heat")
    assert plan_therapy("heat", 25).minutes == 25


@pytest.mark.parametrize(
    ("kind", "minutes", "scale"),
    [
        ("cold", 0, 1),
        ("cold", -5, 1),
        ("cold", float("nan"), 1),
        ("cold", 10, 0),
        ("cold", 10, 11),
        ("hot", 10, 1),
    ],
)
def test_bad_requests_get_a_one_line_error(kind: str, minutes: float, scale: float) -> None:
    with pytest.raises(TherapyError) as error:
        plan_therapy(kind, minutes, scale)
    assert "\n" not in str(error.value)


def test_cold_20_minutes_says_halfway_at_10_and_ends_at_20() -> None:
    rig = Rig()
    assert rig.run(plan_therapy("cold", 20)) is Outcome.COMPLETED
    start = rig.timer_start()
    assert rig.speaker.first("Halfway. ").at == pytest.approx(start + 600, abs=0.01)
    assert "10 minutes to go" in rig.speaker.first("Halfway. ").text
    end = rig.speaker.first("Time's up")
    assert end.at == pytest.approx(start + 1200, abs=0.01)
    assert "cold pack off" in end.text
    assert "break before the next cold pack" in rig.speaker.texts()[-1]
    assert rig.log.outcome == "completed"


def test_time_scale_runs_the_same_words_faster() -> None:
    rig = Rig()
    rig.run(plan_therapy("cold", 15, time_scale=1 / 60))
    start = rig.timer_start()
    assert "15 minutes" in rig.speaker.texts()[0]
    assert rig.speaker.first("Halfway. ").at == pytest.approx(start + 7.5, abs=0.01)
    assert "7 minutes 30 seconds to go" in rig.speaker.first("Halfway. ").text
    assert rig.speaker.first("Time's up").at == pytest.approx(start + 15, abs=0.01)


def test_heat_end_word_does_not_invent_a_next_time() -> None:
    rig = Rig()
    rig.run(plan_therapy("heat", 10))
    assert rig.speaker.texts()[-1] == "Time's up. Take the heat off now."


def test_pause_holds_the_time_and_resume_carries_on() -> None:
    rig = Rig()
    rig.listener.command_at(100, Command.PAUSE)
    rig.listener.command_at(400, Command.RESUME)
    assert rig.run(plan_therapy("cold", 20)) is Outcome.COMPLETED
    start = rig.timer_start()
    held = rig.speaker.first("Carrying on").at - 100
    assert held == pytest.approx(300, abs=0.01)
    # The cold pack is on for 20 minutes in all: the pause is not counted.
    assert rig.speaker.first("Time's up").at == pytest.approx(start + 1200 + held, abs=4)


def test_quit_ends_early_and_says_to_take_it_off() -> None:
    rig = Rig()
    rig.listener.command_at(60, Command.QUIT)
    assert rig.run(plan_therapy("cold", 15)) is Outcome.QUIT
    assert "Take the cold pack off" in rig.speaker.texts()[-1]
    assert rig.log.outcome == "quit"


def test_a_long_unanswered_pause_ends_the_timer() -> None:
    rig = Rig()
    rig.listener.command_at(60, Command.PAUSE)
    assert rig.run(plan_therapy("cold", 15)) is Outcome.QUIT
    assert rig.clock.now() < 60 + 700


def test_how_long_says_the_time_left() -> None:
    rig = Rig()
    rig.listener.command_at(rig_start_plus(300), Command.HOW_LONG)
    rig.run(plan_therapy("cold", 20))
    assert rig.speaker.first("to go.").text.startswith("15 minutes")


def rig_start_plus(seconds: float) -> float:
    """The opening line of a 20-minute cold timer takes about 6 s on the fake speaker."""
    return 6.0 + seconds


def test_pain_mid_line_reaches_the_red_flag_check_and_urgent_ends() -> None:
    rig = Rig()
    rig.listener.command_at(1.0, Command.PAIN)  # during the opening line
    rig.listener.answer_when_said(URGENT_FLAGS[0].question, Command.YES)
    assert rig.run(plan_therapy("cold", 15)) is Outcome.URGENT
    assert not rig.speaker.spoken[0].finished
    assert rig.log.outcome == "urgent"
    assert ("red_flag", {"flag": URGENT_FLAGS[0].id, "answer": "yes"}) in rig.log.events


def test_pain_in_silence_reaches_the_check_and_the_timer_can_carry_on() -> None:
    rig = Rig()
    rig.listener.command_at(200, Command.PAIN)
    for flag in URGENT_FLAGS:
        rig.listener.answer_when_said(flag.question, Command.NO)
    rig.listener.answer_when_said("how bad is the pain", Command.SCORE, score=4)
    rig.listener.answer_when_said("Would you like the rest position", Command.NO)
    rig.listener.answer_when_said("Would you like a cold or heat", Command.NO)
    rig.listener.answer_when_said("Say resume", Command.RESUME)
    assert rig.run(plan_therapy("cold", 15)) is Outcome.COMPLETED
    assert rig.speaker.first(URGENT_FLAGS[0].question).at == pytest.approx(200, abs=6)
    assert "Back to the timer" in "\n".join(rig.speaker.texts())


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(15, "15 minutes"), (7.5, "7 minutes 30 seconds"), (1, "1 minute"), (0.75, "45 seconds")],
)
def test_spoken_minutes(minutes: float, words: str) -> None:
    assert spoken_minutes(minutes) == words


def test_stop_asks_are_you_in_pain_and_no_then_resume_carries_on() -> None:
    rig = Rig()
    rig.listener.command_at(100, Command.STOP)
    rig.listener.answer_when_said("Are you in pain?", Command.NO)
    rig.listener.answer_when_said("Say resume to carry on", Command.RESUME)
    assert rig.run(plan_therapy("cold", 15)) is Outcome.COMPLETED
    assert "Back to the timer" in rig.said()


def test_stop_with_nobody_answering_ends_the_timer() -> None:
    rig = Rig()
    rig.listener.command_at(100, Command.STOP)
    assert rig.run(plan_therapy("cold", 15)) is Outcome.QUIT
    assert rig.speaker.texts()[-1] == "Timer ended. Take the cold pack off now."


def _early_heat(answer: Command | None, tmp_path) -> tuple[CareRig, Outcome]:
    from datetime import timedelta

    from tests.care_support import FakeEpisodeStore
    from voicecoach.commands import care_commands
    from voicecoach.core.episode import local_now

    rig = CareRig()
    store = FakeEpisodeStore(started=local_now() - timedelta(hours=20))
    if answer is not None:
        rig.answer("Use heat anyway", answer)
    marker = tmp_path / "notice-shown"
    marker.touch()
    outcome = care_commands.therapy(rig.coach(), "heat", 0.05, 1.0, store, marker)
    return rig, outcome


def test_heat_in_the_first_48_hours_says_cold_first_and_starts_only_on_a_yes(tmp_path) -> None:
    rig, outcome = _early_heat(Command.NO, tmp_path)
    assert "20 hours ago" in rig.said() and "cold first" in rig.said()
    assert outcome is Outcome.QUIT
    assert "voicecoach therapy cold" in rig.said()
    assert "Heat session" not in rig.said()  # the timer never started


def test_heat_in_the_first_48_hours_runs_when_the_person_says_yes(tmp_path) -> None:
    rig, outcome = _early_heat(Command.YES, tmp_path)
    assert "cold first" in rig.said()
    assert "Heat session" in rig.said().split("Use heat anyway", 1)[1]
    assert outcome is Outcome.COMPLETED


def test_heat_after_48_hours_starts_without_a_question(tmp_path) -> None:
    from datetime import timedelta

    from tests.care_support import FakeEpisodeStore
    from voicecoach.commands import care_commands
    from voicecoach.core.episode import local_now

    rig = CareRig()
    store = FakeEpisodeStore(started=local_now() - timedelta(hours=80))
    marker = tmp_path / "notice-shown"
    marker.touch()
    care_commands.therapy(rig.coach(), "heat", 0.05, 1.0, store, marker)
    assert "Use heat anyway" not in rig.said() and "Heat session" in rig.said()
