"""The session engine on a fake clock: whole sessions in milliseconds."""

from __future__ import annotations

import pytest

from tests.fakes import FakeClock, FakeDisplay, FakeListener, FakeSpeaker
from voicecoach.core.engine import IDLE_LIMIT, Engine, Ports, State
from voicecoach.core.plan import build_plan
from voicecoach.core.ports import AfterCheck, Command, Heard, NullLog, Outcome
from voicecoach.core.routines import load_catalogue
from voicecoach.core.settings import CountStyle, SessionSettings


class ScriptedSafety:
    """Returns set decisions; records when it was called and whether the coach was silent."""

    def __init__(self, engine_ref: list[Engine], decision: AfterCheck) -> None:
        self.engine_ref = engine_ref
        self.decision = decision
        self.calls: list[tuple[str, State]] = []

    def on_pain(self, heard: Heard | None = None) -> AfterCheck:
        self.calls.append(("pain", self.engine_ref[0].state))
        return self.decision

    def on_stop(self) -> AfterCheck:
        self.calls.append(("stop", self.engine_ref[0].state))
        return self.decision


class Session:
    def __init__(self, routine: str = "gentle", safety: AfterCheck | None = None, **settings):
        self.clock = FakeClock()
        self.speaker = FakeSpeaker(self.clock)
        self.listener = FakeListener(self.clock, self.speaker)
        self.display = FakeDisplay()
        self.log = NullLog()
        self.settings = SessionSettings(ask_pain_scores=False, **settings)
        plan = build_plan(load_catalogue().routines[routine], self.settings)
        ref: list[Engine] = []
        self.safety = ScriptedSafety(ref, safety) if safety is not None else None
        ports = Ports(self.speaker, self.listener, self.clock, self.display, self.log, self.safety)
        self.engine = Engine(plan, self.settings, ports)
        ref.append(self.engine)

    def answer_ready(self, times: int = 10) -> None:
        self.listener.answer_when_said("Say next when", Command.NEXT, delay=1.0, times=times)

    def run(self) -> Outcome:
        return self.engine.run()

    def holds(self) -> list[dict]:
        return [data for kind, data in self.log.events if kind == "hold"]


def test_whole_gentle_session_runs_to_the_end_in_order():
    s = Session()
    s.answer_ready()
    assert s.run() is Outcome.COMPLETED
    said = " | ".join(s.speaker.texts())
    order = [
        "rest position" if False else "firm surface",
        "pelvic tilt",
        "left knee",
        "right knee",
        "Rest on your back",
        "log roll",
    ]
    positions = [said.lower().index(fragment.lower()) for fragment in order]
    assert positions == sorted(positions)
    assert s.log.outcome == "completed"
    assert [h["side"] for h in s.holds()] == ["left", "right"]
    assert said.count("never push into sharp pain") == 2  # both movement steps carry cautions


def test_holds_keep_their_length_however_long_counting_takes():
    # Slow speech: every count takes most of a second; the hold still lasts 30 s.
    s = Session(count_style=CountStyle.EVERY_SECOND)
    s.speaker.words_per_second = 1.2
    s.answer_ready()
    s.run()
    for hold in s.holds():
        assert hold["actual_s"] == pytest.approx(30.0, abs=0.01)
    start = s.speaker.first("<hold_start>")
    end = s.speaker.first("<hold_end>")
    assert end.at - start.ended == pytest.approx(30.0, abs=0.01)


def test_counts_are_said_on_time_and_never_run_past_the_end():
    s = Session(count_style=CountStyle.EVERY_10, hold_seconds=40)
    s.answer_ready()
    s.run()
    start = s.speaker.first("<hold_start>").ended
    end = s.speaker.first("<hold_end>").at
    counts = [x for x in s.speaker.spoken if start <= x.at < end]
    assert [c.text for c in counts] == ["10", "20", "30", "5", "4", "3", "2", "1"]
    for c in counts:
        assert c.ended <= end
    assert counts[0].at - start == pytest.approx(10.0, abs=0.01)


def test_next_ends_a_hold_early():
    s = Session()
    s.answer_ready()
    s.listener.answer_when_said("Hold for 30", Command.NEXT, delay=5.0, times=1)
    s.run()
    first, second = s.holds()
    assert first["ended_early"] and first["actual_s"] == pytest.approx(4.8, abs=0.05)
    assert second["actual_s"] == pytest.approx(30.0, abs=0.01)


def test_pause_inside_a_hold_stops_its_clock_until_resume():
    s = Session()
    s.answer_ready()
    s.listener.answer_when_said("Hold for 30", Command.PAUSE, delay=10.0, times=1)
    s.listener.answer_when_said("Paused", Command.RESUME, delay=60.0, times=1)
    s.run()
    first = s.holds()[0]
    assert first["actual_s"] == pytest.approx(30.0, abs=0.01)
    start = s.speaker.first("<hold_start>").ended
    end = s.speaker.first("<hold_end>").at
    assert end - start > 30 + 60  # the hour on the floor while paused is not counted
    assert "Carrying on." in s.speaker.texts()


def test_repeat_during_a_hold_says_the_last_instruction_again():
    s = Session()
    s.answer_ready()
    s.listener.answer_when_said("Hold for 30", Command.REPEAT, delay=3.0, times=1)
    s.run()
    texts = s.speaker.texts()
    assert texts.count("Hold for 30 seconds.") == 3  # left, repeated once, right
    assert s.holds()[0]["actual_s"] == pytest.approx(30.0, abs=0.01)


def test_repeat_while_waiting_says_the_whole_step_again():
    s = Session()
    s.listener.answer_when_said("Say next when", Command.REPEAT, delay=1.0, times=1)
    s.listener.answer_when_said("Say next when", Command.NEXT, delay=1.0, times=10)
    s.run()
    texts = s.speaker.texts()
    assert (
        texts.count(
            "Lie on your back on a firm surface, with your knees bent and a pillow under your head."
        )
        == 2
    )


def test_skip_moves_past_the_whole_exercise():
    s = Session()
    s.answer_ready()
    s.listener.answer_when_said("left knee toward", Command.SKIP, delay=2.0)
    assert s.run() is Outcome.COMPLETED
    assert s.holds() == []  # neither side was held
    assert ("step_finished", {"step": 3, "how": "skipped"}) in s.log.events
    assert any("log roll" in t for t in s.speaker.texts())


def test_quit_ends_the_session_and_saves_it_as_quit():
    s = Session()
    s.answer_ready()
    s.listener.answer_when_said("pelvic tilt", Command.QUIT, delay=0.5)
    assert s.run() is Outcome.QUIT
    assert s.log.outcome == "quit"
    assert not any("knee toward" in t for t in s.speaker.texts())


def test_pain_cuts_the_coach_off_mid_line_and_hands_over_to_the_safety_check():
    s = Session(safety=AfterCheck.URGENT)
    s.answer_ready()
    line = "Tighten your stomach muscles"
    s.listener.answer_when_said("Now the pelvic tilt", Command.PAIN, delay=1.0)
    assert s.run() is Outcome.URGENT
    cut = s.speaker.first(line)
    assert not cut.finished and cut.ended - cut.at == pytest.approx(1.0, abs=0.01)
    assert s.safety.calls == [("pain", State.SAFETY)]
    assert s.log.outcome == "urgent"


def test_pain_during_a_hold_stops_the_hold_and_resumes_only_when_told():
    s = Session(safety=AfterCheck.RESUME)
    s.answer_ready()
    s.listener.answer_when_said("Hold for 30", Command.PAIN, delay=10.0, times=1)
    assert s.run() is Outcome.COMPLETED
    assert s.safety.calls[0][0] == "pain"
    assert s.holds()[0]["actual_s"] == pytest.approx(30.0, abs=0.01)


def test_pain_answered_with_rest_skips_the_exercise_that_hurt():
    s = Session(safety=AfterCheck.REST)
    s.answer_ready()
    s.listener.answer_when_said("left knee toward", Command.PAIN, delay=3.0)
    assert s.run() is Outcome.COMPLETED
    assert not any("right knee" in t for t in s.speaker.texts())
    assert any("Let's rest" in t for t in s.speaker.texts())


def test_stop_then_end_is_saved_as_quit_and_pain_then_end_as_stopped_for_pain():
    s = Session(safety=AfterCheck.END)
    s.answer_ready()
    s.listener.answer_when_said("pelvic tilt", Command.STOP, delay=0.5)
    assert s.run() is Outcome.QUIT
    s = Session(safety=AfterCheck.END)
    s.answer_ready()
    s.listener.answer_when_said("pelvic tilt", Command.PAIN, delay=0.5)
    assert s.run() is Outcome.STOPPED_FOR_PAIN


def test_how_long_says_the_time_left_in_the_hold():
    s = Session()
    s.answer_ready()
    s.listener.answer_when_said("Hold for 30", Command.HOW_LONG, delay=12.2, times=1)
    s.run()
    assert "About 18 seconds left." in s.speaker.texts()


def test_time_scale_runs_holds_faster():
    s = Session(time_scale=0.05)
    s.answer_ready()
    s.run()
    assert [h["actual_s"] for h in s.holds()] == [pytest.approx(1.5, abs=0.01)] * 2


def test_nobody_answering_ends_the_session_instead_of_waiting_forever():
    s = Session()
    assert s.run() is Outcome.QUIT
    assert s.clock.now() >= IDLE_LIMIT
    assert any("haven't heard from you" in t for t in s.speaker.texts())


def test_interrupted_session_is_saved_as_interrupted():
    s = Session()

    def boom(text: str) -> None:
        if "pelvic tilt" in text:
            raise KeyboardInterrupt

    s.speaker.on_said.append(boom)
    s.answer_ready()
    with pytest.raises(KeyboardInterrupt):
        s.run()
    assert s.log.outcome == "interrupted"


def test_every_command_is_logged_with_its_source():
    s = Session()
    s.answer_ready()
    s.run()
    commands = [d for k, d in s.log.events if k == "command"]
    assert commands and all(c["command"] == "next" and c["source"] == "key" for c in commands)
