"""The care commands' records in the real session log."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.care_support import CareRig
from voicecoach import logbook
from voicecoach.commands.care_commands import redflags
from voicecoach.commands.wiring import open_log
from voicecoach.core.ports import AfterCheck, Command
from voicecoach.core.redflags import URGENT_FLAGS


def test_the_log_says_which_red_flag_was_answered_yes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(tmp_path))
    rig = CareRig()
    rig.answer(URGENT_FLAGS[0].question, Command.NO)
    rig.answer(URGENT_FLAGS[1].question, Command.YES)
    with open_log(pytest.fail) as (log, stored):
        assert stored
        assert redflags(rig.coach(log)) is AfterCheck.URGENT

    conn = logbook.open_store()
    try:
        (session,) = logbook.read_sessions(conn)
    finally:
        conn.close()
    assert (session.routine, session.outcome) == ("redflags", "urgent")
    assert [e.data for e in session.kinds("red_flag")] == [
        {"flag": URGENT_FLAGS[0].id, "answer": "no"},
        {"flag": URGENT_FLAGS[1].id, "answer": "yes"},
    ]
    assert session.kinds("advice")[0].data["flag"] == URGENT_FLAGS[1].id
