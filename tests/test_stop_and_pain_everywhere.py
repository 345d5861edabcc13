""" "pain" and "stop" mean the same in every command that listens, at every moment.

Each command runs on the fake clock: routine, therapy cold and heat, remind, redflags and
care --speak. "pain" or "stop" is said while the coach speaks, in a hold or a timer,
while paused, and while a question waits (where the command has that moment). Within
1 s of simulated time the coach must ask the first red-flag question (after "pain") or
"Are you in pain?" (after "stop"). Nobody answers after that, so every run ends on its
own (the check never assumes "no").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.care_support import CareRig
from tests.fakes import FakeClock, FakeSpeaker
from voicecoach.commands import care_commands
from voicecoach.core.asking import ask_pain_score
from voicecoach.core.engine import Engine, Ports
from voicecoach.core.plan import build_plan
from voicecoach.core.ports import Command, Heard
from voicecoach.core.redflags import URGENT_FLAGS
from voicecoach.core.routines import load_catalogue
from voicecoach.core.settings import SessionSettings

WITHIN = 1.0
"""Seconds of simulated time from the word to the question starting."""
EXPECTED = {Command.PAIN: URGENT_FLAGS[0].question, Command.STOP: "Are you in pain?"}


class WatchedSpeaker(FakeSpeaker):
    """A FakeSpeaker that also runs hooks as each line starts."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock)
        self.on_start: list[Callable[[str], None]] = []

    def _play(self, text: str, seconds: float) -> bool:
        for hook in list(self.on_start):
            hook(text)
        return super()._play(text, seconds)


class Rig(CareRig):
    speaker: WatchedSpeaker

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(speaker=WatchedSpeaker)
        self.marker = tmp_path / "notice-given"
        self.marker.touch()
        self.said_at: float | None = None

    def after_line(self, fragment: str, delay: float, heard: Heard, at_start: bool) -> None:
        """`delay` s after the first line holding `fragment` starts (or ends), deliver."""
        fired = [False]

        def schedule(text: str) -> None:
            if not fired[0] and fragment.lower() in text.lower():
                fired[0] = True
                self.clock.at(self.clock.now() + delay, lambda: self.say(heard))

        hooks = self.speaker.on_start if at_start else self.speaker.on_said
        hooks.append(schedule)

    def at(self, when: float, heard: Heard) -> None:
        self.clock.at(when, lambda: self.say(heard))

    def say(self, heard: Heard) -> None:
        if heard.command in EXPECTED:
            self.said_at = self.clock.now()
        self.listener.deliver(heard)


def heard(command: Command) -> Heard:
    return Heard(command, "voice", text=command.value)


# --- the commands -----------------------------------------------------------------------


def run_routine(rig: Rig, ask_pain_scores: bool = False) -> None:
    settings = SessionSettings(ask_pain_scores=ask_pain_scores)
    plan = build_plan(load_catalogue().routines["gentle"], settings)
    ports = Ports(
        rig.speaker,
        rig.listener,
        rig.clock,
        rig.display,
        rig.log,
        rig.safety,
        ask_pain_score=lambda when, listener: ask_pain_score(
            rig.speaker, listener, rig.log, when, rig.display
        ),
    )
    rig.listener.answer_when_said("Say next when", Command.NEXT, delay=1.0, times=20)
    Engine(plan, settings, ports).run()


def run_routine_with_scores(rig: Rig) -> None:
    run_routine(rig, ask_pain_scores=True)


def run_cold(rig: Rig) -> None:
    care_commands.therapy(rig.coach(), "cold", 15, marker=rig.marker)


def run_heat(rig: Rig) -> None:
    care_commands.therapy(rig.coach(), "heat", 20, marker=rig.marker)


def run_remind(rig: Rig) -> None:
    care_commands.remind(rig.coach(), "30m", "2h")


def run_redflags(rig: Rig) -> None:
    care_commands.redflags(rig.coach())


def run_care_speak(rig: Rig) -> None:
    care_commands.care(lambda line: None, rig.coach())


# --- the moments ------------------------------------------------------------------------

Moment = Callable[[Rig, Command], None]


def speaking(fragment: str = "") -> Moment:
    """Half a second into the first line holding `fragment` (any line: the first)."""
    return lambda rig, command: rig.after_line(fragment, 0.5, heard(command), at_start=True)


def silent_after(fragment: str, delay: float) -> Moment:
    """`delay` s after the line holding `fragment` ends: in a hold, a timer, a question."""
    return lambda rig, command: rig.after_line(fragment, delay, heard(command), at_start=False)


def at_time(when: float) -> Moment:
    return lambda rig, command: rig.at(when, heard(command))


def paused(pause_after: str) -> Moment:
    """ "pause" 2 s after the line holding `pause_after`, then the word while paused."""

    def moment(rig: Rig, command: Command) -> None:
        rig.after_line(pause_after, 2.0, heard(Command.PAUSE), at_start=False)
        rig.after_line("Paused.", 3.0, heard(command), at_start=False)

    return moment


@dataclass(frozen=True)
class Case:
    command: str
    moment: str
    run: Callable[[Rig], None]
    when: Moment


CASES = [
    Case("routine", "while speaking", run_routine, speaking()),
    Case("routine", "in a hold", run_routine, silent_after("<hold_start>", 3.0)),
    Case("routine", "while paused", run_routine, paused("Lie on your back")),
    Case("routine", "while a question waits", run_routine_with_scores, silent_after("how bad", 1)),
    Case("therapy cold", "while speaking", run_cold, speaking()),
    Case("therapy cold", "in the timer", run_cold, silent_after("Put the cold pack", 60.0)),
    Case("therapy cold", "while paused", run_cold, paused("Put the cold pack")),
    Case("therapy heat", "while speaking", run_heat, speaking()),
    Case("therapy heat", "in the timer", run_heat, silent_after("Put the heat", 300.0)),
    Case("therapy heat", "while paused", run_heat, paused("Put the heat")),
    Case("remind", "while speaking", run_remind, speaking("A reminder")),
    Case("remind", "between reminders", run_remind, at_time(100.0)),
    Case("redflags", "while speaking", run_redflags, speaking()),
    Case("redflags", "while a question waits", run_redflags, silent_after("bowel or bladder", 1)),
    Case("care --speak", "while speaking", run_care_speak, speaking()),
]


@pytest.mark.parametrize("word", [Command.PAIN, Command.STOP], ids=["pain", "stop"])
@pytest.mark.parametrize("case", CASES, ids=[f"{c.command}, {c.moment}" for c in CASES])
def test_the_word_gets_its_question_within_a_second(
    case: Case, word: Command, tmp_path: Path
) -> None:
    rig = Rig(tmp_path)
    case.when(rig, word)
    case.run(rig)
    assert rig.said_at is not None, f'"{word.value}" was never said: the moment never came'
    said_at = rig.said_at
    asked = [s for s in rig.speaker.spoken if s.at >= said_at and EXPECTED[word] in s.text]
    assert asked, f'no "{EXPECTED[word]}" after "{word.value}" at {said_at:.1f}: {rig.said()}'
    assert asked[0].at - said_at <= WITHIN
    cut = [s for s in rig.speaker.spoken if s.at < said_at < s.ended]
    assert all(not s.finished for s in cut), "the coach was not silenced"


class _Doubted:
    """The second recogniser heard other words where the fast one heard "ouch"."""

    def doubted(self, within: float) -> bool:
        return True

    def number_instead(self, within: float) -> Heard | None:
        return None


def test_a_doubted_ouch_in_a_hold_is_asked_about_and_no_carries_the_routine_on(
    tmp_path: Path,
) -> None:
    rig = Rig(tmp_path)
    ouch = Heard(Command.PAIN, "voice", text="ouch", check=_Doubted())
    rig.after_line("Hold for 30", 5.0, ouch, at_start=False)
    rig.listener.answer_when_said("Are you in pain?", Command.NO, delay=1.0)
    run_routine(rig)
    said = rig.said()
    assert "I heard pain by mistake." in said
    assert URGENT_FLAGS[0].question not in said
    assert rig.log.outcome == "completed"
    assert said.count("Hold for 30") >= 2  # the exercise that was interrupted, then the next
