"""What every session begins with: the first-run notice once, the 72-hour rule every time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from care_support import CareRig, FakeEpisodeStore
from fakes import FakeSpeaker

from voicecoach.commands.care_commands import session_opening
from voicecoach.commands.wiring import Coach

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
