"""The care commands through the CLI, with typed answers (the no-microphone path)."""

from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from voicecoach.cli import app
from voicecoach.redflags import URGENT_FLAGS

runner = CliRunner()

CARE_COMMANDS = ["redflags", "therapy", "care", "remind", "episode start", "episode status"]


@pytest.mark.parametrize("command", CARE_COMMANDS)
def test_every_care_command_has_help_with_an_example(command: str) -> None:
    result = runner.invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Example: voicecoach " + command.split()[0] in result.output


def test_redflags_all_no_ends_with_the_72_hour_advice() -> None:
    result = runner.invoke(app, ["redflags", "--no-listen"], input="n\n" * 4)
    assert result.exit_code == 0, result.output
    for flag in URGENT_FLAGS:
        assert flag.question in result.output
    assert "seek medical help immediately" not in result.output
    assert "consult a healthcare provider" in result.output


@pytest.mark.parametrize("index", range(len(URGENT_FLAGS)))
def test_redflags_yes_says_seek_help_immediately(index: int) -> None:
    answers = "n\n" * index + "y\n"
    result = runner.invoke(app, ["redflags", "--no-listen"], input=answers)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == URGENT_FLAGS[index].advice


def test_therapy_over_20_minutes_cold_is_refused_in_one_line() -> None:
    result = runner.invoke(app, ["therapy", "cold", "--minutes", "25"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "20 minutes" in result.output
    assert "Traceback" not in result.output


def test_therapy_runs_scaled_with_halfway_and_end_words() -> None:
    began = time.monotonic()
    result = runner.invoke(app, ["therapy", "cold", "--minutes", "15", "--time-scale", "900"])
    assert result.exit_code == 0, result.output
    assert time.monotonic() - began < 10
    lines = result.output.splitlines()
    assert lines[1].startswith("Halfway.")
    assert "Take the cold pack off now" in lines[2]


def test_typed_quit_ends_the_therapy_timer() -> None:
    result = runner.invoke(app, ["therapy", "heat", "--minutes", "10"], input="q\n")
    assert result.exit_code == 0, result.output
    assert "Timer stopped. Take the heat off now." in result.output


def test_care_prints_the_summary_and_the_disclaimer() -> None:
    summary = runner.invoke(app, ["care"])
    assert summary.exit_code == 0
    assert "smallest effective dose" in summary.output
    notice = runner.invoke(app, ["care", "--disclaimer"])
    assert "not a diagnosis" in notice.output


@pytest.mark.parametrize("every", ["10s", "soon", "0"])
def test_remind_refuses_bad_intervals(every: str) -> None:
    result = runner.invoke(app, ["remind", "--every", every])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ")


def test_episode_start_refuses_a_future_time() -> None:
    pytest.importorskip("voicecoach.logbook", reason="the session log is not merged here yet")
    result = runner.invoke(app, ["episode", "start", "--at", "23:59 tomorrow"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ")
