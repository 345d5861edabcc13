"""The sitting/standing reminder loop on a fake clock."""

from __future__ import annotations

import pytest

from tests.care_support import CareRig
from voicecoach.core.lines import REMINDER
from voicecoach.core.ports import Command
from voicecoach.core.remind import (
    RemindError,
    RemindPlan,
    parse_duration,
    plan_reminders,
    run_reminders,
)


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("1h", 3600), ("45", 2700), ("90s", 90), ("1.5h", 5400)]
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("every", ["soon", "30x", "-5m", "10s", "25h"])
def test_bad_intervals_are_refused_in_one_line(every: str) -> None:
    with pytest.raises(RemindError) as error:
        plan_reminders(every)
    assert "\n" not in str(error.value)


class Rig(CareRig):
    def run(self, plan: RemindPlan) -> int:
        return run_reminders(
            plan, self.speaker, self.listener, self.clock, self.display, self.safety, self.log
        )


def test_reminds_every_interval_and_stops_after_the_run() -> None:
    rig = Rig()
    assert rig.run(plan_reminders("30m", "2h")) == 4
    assert [s.at for s in rig.speaker.spoken] == pytest.approx([1800, 3600, 5400, 7200])
    assert all("avoid long periods of sitting or standing" in t for t in rig.speaker.texts())


def test_quit_ends_the_reminders() -> None:
    rig = Rig()
    rig.listener.command_at(2000, Command.QUIT)
    assert rig.run(plan_reminders("30m")) == 1
    assert rig.clock.now() == pytest.approx(2000)


def test_other_words_do_not_shift_the_schedule() -> None:
    rig = Rig()
    rig.listener.command_at(100, Command.NEXT)
    rig.run(plan_reminders("30m", "1h"))
    assert [s.at for s in rig.speaker.spoken] == pytest.approx([1800, 3600])
    assert rig.speaker.texts() == [REMINDER, REMINDER]
