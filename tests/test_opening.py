"""What every session begins with: the first-run notice once, the 72-hour rule every time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.care_support import CareRig, FakeEpisodeStore
from tests.fakes import FakeClock, FakeDisplay, FakeSpeaker
from voicecoach.commands.care_commands import session_opening
from voicecoach.commands.wiring import Coach
from voicecoach.core.care import DISCLAIMER_LINES
from voicecoach.core.inbox import Inbox
from voicecoach.core.ports import Command, Heard
from voicecoach.core.redflags import URGENT_FLAGS

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


def io() -> tuple[Coach, FakeSpeaker]:
    rig = CareRig()
    return rig.coach(), rig.speaker


def test_the_notice_is_given_on_the_first_run_only(tmp_path: Path) -> None:
    marker = tmp_path / "shown"
    first, speaker = io()
    session_opening(first.speaker, first.display, None, NOW, marker)
    said = "\n".join(speaker.texts())
    assert "not a diagnosis" in said and "bowel or bladder" in said
    again, speaker = io()
    assert session_opening(again.speaker, again.display, None, NOW, marker) == []
    assert speaker.texts() == []


def test_after_72_hours_without_improvement_every_session_says_consult(tmp_path: Path) -> None:
    marker = tmp_path / "shown"
    marker.touch()
    start = NOW - timedelta(hours=72)
    store = FakeEpisodeStore(start, [(start, 4, "start"), (start + timedelta(hours=30), 6, "end")])
    for _ in range(2):
        coach, speaker = io()
        session_opening(coach.speaker, coach.display, store, NOW, marker)
        assert len(speaker.texts()) == 1
        assert "consult a healthcare provider" in speaker.texts()[0]


def _press_during(
    clock: FakeClock, speaker: FakeSpeaker, inbox: Inbox, line: int, key: Heard
) -> None:
    """Press `key` halfway through the notice's line number `line`."""
    start = sum(speaker.duration(text) for text in DISCLAIMER_LINES[:line])
    clock.at(start + speaker.duration(DISCLAIMER_LINES[line]) / 2, lambda: inbox.put(key))


@pytest.mark.parametrize(
    "key",
    [Heard(Command.NO, source="key", text="n"), Heard(Command.NEXT, source="key", text=" ")],
    ids=["n", "space"],
)
def test_next_skips_the_rest_of_the_spoken_notice_after_the_sentence_being_said(
    tmp_path: Path, key: Heard
) -> None:
    marker = tmp_path / "shown"
    start = NOW - timedelta(hours=80)
    store = FakeEpisodeStore(start, [(start, 5, "start")])
    clock = FakeClock()
    speaker = FakeSpeaker(clock)
    display = FakeDisplay()
    inbox = Inbox(on_urgent=speaker.silence)
    _press_during(clock, speaker, inbox, 1, key)

    session_opening(speaker, display, store, NOW, marker, inbox)

    said = speaker.texts()
    assert said[:2] == list(DISCLAIMER_LINES[:2]) and all(s.finished for s in speaker.spoken)
    assert not set(said) & set(DISCLAIMER_LINES[2:])
    assert "consult a healthcare provider" in said[-1]  # the 72-hour rule is still said
    assert inbox.next_command(0) is None  # used up: it does not also skip the first step
    assert all(flag.statement in display.notices for flag in URGENT_FLAGS)
    assert marker.exists()


def test_pain_during_the_notice_ends_it_and_is_left_for_the_session(tmp_path: Path) -> None:
    clock = FakeClock()
    speaker = FakeSpeaker(clock)
    inbox = Inbox(on_urgent=speaker.silence)
    pain = Heard(Command.PAIN, source="key", text="p")
    _press_during(clock, speaker, inbox, 2, pain)

    session_opening(speaker, FakeDisplay(), None, NOW, tmp_path / "shown", inbox)

    assert speaker.texts() == list(DISCLAIMER_LINES[:3])
    assert speaker.spoken[-1].finished is False  # cut off mid-sentence
    assert inbox.next_command(0) == pain


def test_without_next_the_whole_notice_is_said(tmp_path: Path) -> None:
    clock = FakeClock()
    speaker = FakeSpeaker(clock)
    session_opening(speaker, FakeDisplay(), None, NOW, tmp_path / "shown", Inbox())
    assert speaker.texts() == list(DISCLAIMER_LINES)
