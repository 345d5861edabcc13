"""`voicecoach history` as a person uses it, on a real log file."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.logbook_support import use_temporary_log
from voicecoach.commands.cli import app
from voicecoach.commands.history import from_json, load_sessions
from voicecoach.core.ports import Outcome
from voicecoach.logbook import SqliteLog

runner = CliRunner()


@pytest.fixture
def log_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_temporary_log(tmp_path, monkeypatch)


def log_session(
    pain: tuple[int, int] | None,
    outcome: Outcome,
    red_flag_yes: str | None = None,
    routine: str = "gentle",
    time_scale: float = 1.0,
) -> None:
    with SqliteLog() as log:
        log.session_started(routine, {"hold_s": 30, "side": "both", "time_scale": time_scale})
        if pain:
            log.event("pain_score", when="start", score=pain[0])
        log.event("step_started", step=1, title="Rest position")
        log.event("hold", step=1, side="left", planned_s=30, actual_s=30.2)
        log.event("command", command="next", source="voice", text="next")
        log.event("step_finished", step=1, how="done")
        log.event(
            "red_flag", flag="trauma", answer="unclear" if outcome == "stopped for pain" else "no"
        )
        if red_flag_yes:
            log.event("red_flag", flag=red_flag_yes, answer="yes")
            log.event("advice", text="Seek medical help now.")
        elif pain:
            log.event("pain_score", when="end", score=pain[1])
        log.session_ended(outcome)


@pytest.fixture
def three_sessions(log_path: Path) -> Path:
    log_session((7, 4), Outcome.COMPLETED)
    log_session((6, 6), Outcome.STOPPED_FOR_PAIN, routine="rest")
    log_session((5, 0), Outcome.URGENT, red_flag_yes="numbness")
    return log_path


def test_the_table_shows_each_session_its_pain_and_how_it_ended(three_sessions: Path) -> None:
    result = runner.invoke(app, ["history"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    first = next(line for line in lines if "completed" in line)
    assert "gentle" in first and "7 → 4" in first
    assert "none" in first  # the red-flag checks were read, all answered no
    second = next(line for line in lines if "stopped for pain" in line)
    assert "rest" in second and "6 → 6" in second and "unclear" in second
    urgent = next(line for line in lines if "urgent" in line)
    assert "numbness" in urgent and "5 → –" in urgent


def test_the_trend_draws_each_score_as_a_bar(three_sessions: Path) -> None:
    result = runner.invoke(app, ["history"])
    trend = result.output.split("Pain trend")[1].splitlines()[1:4]
    assert [line.count("█") for line in trend] == [7 + 4, 6 + 6, 5 + 0]
    assert trend[2].rstrip().endswith("–")  # no end score: the session ended urgently


def test_an_empty_log_says_how_to_start(log_path: Path) -> None:
    result = runner.invoke(app, ["history"])
    assert result.exit_code == 0
    assert "No sessions yet" in result.output and "voicecoach routine gentle" in result.output


def test_json_holds_every_session_with_its_events_and_round_trips(three_sessions: Path) -> None:
    result = runner.invoke(app, ["history", "--json"])
    assert result.exit_code == 0
    items = json.loads(result.output)
    assert [item["outcome"] for item in items] == ["completed", "stopped for pain", "urgent"]
    for item in items:
        assert {"id", "routine", "started", "ended", "outcome", "events"} <= item.keys()
    assert items[0]["events"][1] == {
        "at": items[0]["events"][1]["at"],
        "seq": 2,
        "kind": "step_started",
        "data": {"step": 1, "title": "Rest position"},
    }
    assert from_json(result.output) == load_sessions()


def test_csv_has_one_row_per_session(three_sessions: Path) -> None:
    result = runner.invoke(app, ["history", "--csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["routine"], r["pain_start"], r["pain_end"]) for r in rows] == [
        ("gentle", "7", "4"),
        ("rest", "6", "6"),
        ("gentle", "5", ""),
    ]
    assert rows[2]["red_flags_yes"] == "numbness"
    assert {r["holds"] for r in rows} == {"1"}


def test_plot_draws_a_png(three_sessions: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the [plot] extra is not installed")
    image = tmp_path / "trend.png"
    result = runner.invoke(app, ["history", "--plot", str(image)])
    assert result.exit_code == 0, result.output
    assert "3 sessions" in result.output
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_says_how_to_get_it(
    three_sessions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import now fails
    result = runner.invoke(app, ["history", "--plot", str(tmp_path / "trend.png")])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "voicecoach: drawing a plot needs matplotlib: pip install 'voicecoach[plot]'"
    )


def test_forget_asks_first_and_keeps_everything_on_no(three_sessions: Path) -> None:
    result = runner.invoke(app, ["history", "--forget"], input="n\n")
    assert result.exit_code == 0
    assert "3 sessions" in result.output and "Nothing was deleted" in result.output
    assert len(load_sessions()) == 3


def test_forget_deletes_everything_on_yes(three_sessions: Path) -> None:
    result = runner.invoke(app, ["history", "--forget"], input="y\n")
    assert result.exit_code == 0, result.output
    assert not three_sessions.exists()
    assert list(three_sessions.parent.iterdir()) == []  # no -wal/-shm left holding data
    assert "No sessions yet" in runner.invoke(app, ["history"]).output


def test_forget_yes_skips_the_question(three_sessions: Path) -> None:
    result = runner.invoke(app, ["history", "--forget", "--yes"])
    assert result.exit_code == 0
    assert "?" not in result.output and not three_sessions.exists()


def test_forget_refuses_while_a_coach_is_mid_session(log_path: Path) -> None:
    with SqliteLog() as log:
        log.session_started("gentle", {})
        result = runner.invoke(app, ["history", "--forget", "--yes"])
        assert result.exit_code == 1
        assert "running a session now" in result.output
        assert log_path.exists()


def test_a_damaged_log_gets_one_line_and_is_kept(log_path: Path) -> None:
    log_path.parent.mkdir(parents=True)
    log_path.write_bytes(b"\x00garbage" * 512)
    before = log_path.read_bytes()
    result = runner.invoke(app, ["history"])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "damaged" in result.output and "Traceback" not in result.output
    assert log_path.read_bytes() == before


def test_json_and_csv_together_are_refused(log_path: Path) -> None:
    result = runner.invoke(app, ["history", "--json", "--csv"])
    assert result.exit_code == 2 and "choose one" in result.output


def test_forget_can_delete_a_damaged_log_when_asked(log_path: Path) -> None:
    log_path.parent.mkdir(parents=True)
    log_path.write_bytes(b"\x00garbage" * 512)
    result = runner.invoke(app, ["history", "--forget"], input="y\n")
    assert result.exit_code == 0
    assert "damaged" in result.output  # the question said what it was about to delete
    assert not log_path.exists()


def test_the_table_never_cuts_a_red_flag_or_an_outcome_off(log_path: Path) -> None:
    log_session((5, 0), Outcome.URGENT, red_flag_yes="bowel or bladder control")
    log_session(None, Outcome.INTERRUPTED)
    result = runner.invoke(app, ["history"])
    assert result.exit_code == 0
    assert "…" not in result.output
    assert "interrupted" in result.output
    assert "urgent" in result.output
    assert "bowel or bladder control" in result.output


def test_demo_runs_are_marked_and_left_out_of_the_trend_unless_asked(log_path: Path) -> None:
    log_session((7, 4), Outcome.COMPLETED)
    log_session((9, 9), Outcome.COMPLETED, time_scale=0.05)
    plain = runner.invoke(app, ["history"])
    assert plain.exit_code == 0
    assert "gentle (demo)" in plain.output
    trend = plain.output[plain.output.index("Pain trend") :]
    assert " 7" in trend and " 9" not in trend
    with_demos = runner.invoke(app, ["history", "--demos"])
    assert " 9" in with_demos.output[with_demos.output.index("Pain trend") :]
    exported = json.loads(runner.invoke(app, ["history", "--json"]).output)
    assert [session["demo"] for session in exported] == [False, True]
