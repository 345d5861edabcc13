"""The care commands through the CLI: keys in a real terminal (pexpect), captions out.

This build has no speech yet, so lines are shown as captions; --time-scale shortens
their reading time (and the timers) for the tests.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pexpect
import pytest
from typer.testing import CliRunner

from voicecoach.commands.cli import app
from voicecoach.core.redflags import URGENT_FLAGS

runner = CliRunner()
VOICECOACH = Path(sys.executable).parent / "voicecoach"

CARE_COMMANDS = ["redflags", "therapy", "care", "remind", "episode start", "episode status"]


@pytest.mark.parametrize("command", CARE_COMMANDS)
def test_every_care_command_has_help_with_an_example(command: str) -> None:
    result = runner.invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Example: voicecoach " + command.split()[0] in result.output


def spawn(*args: str) -> pexpect.spawn:
    """The real command in a wide terminal, answered key by key as a person would.

    Captions only: the words are on the screen, and no sound server is needed.
    """
    env = {**os.environ, "COLUMNS": "300", "LINES": "40"}  # the captions panel fits a line
    return pexpect.spawn(
        str(VOICECOACH),
        [*args, "--captions-only"],
        encoding="utf-8",
        codec_errors="replace",  # Ctrl-C can cut a box-drawing character in half
        timeout=20,
        dimensions=(40, 300),
        env=env,
    )


def answer_flags(child: pexpect.spawn, answers: list[str]) -> None:
    for flag, answer in zip(URGENT_FLAGS, answers, strict=False):
        child.expect_exact(flag.question)
        child.send(answer)


def test_redflags_all_no_ends_with_the_72_hour_advice() -> None:
    child = spawn("redflags", "--no-listen", "--time-scale", "0.01")
    child.expect_exact("Press y for yes, or n for no.")
    answer_flags(child, ["n"] * 4)
    child.expect_exact("consult a healthcare provider")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "seek medical help immediately" not in (child.before or "")


@pytest.mark.parametrize("index", range(len(URGENT_FLAGS)))
def test_redflags_yes_says_seek_help_immediately(index: int) -> None:
    child = spawn("redflags", "--no-listen", "--time-scale", "0.01")
    answer_flags(child, ["n"] * index + ["y"])
    child.expect_exact(URGENT_FLAGS[index].advice)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3  # urgent, as for a routine


def test_therapy_over_20_minutes_cold_is_refused_in_one_line() -> None:
    result = runner.invoke(app, ["therapy", "cold", "--minutes", "25"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "20 minutes" in result.output
    assert "Traceback" not in result.output


@pytest.fixture(autouse=True)
def own_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first-run marker and the session log go to a folder of the test's own."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(tmp_path / "data"))


def test_therapy_runs_scaled_with_halfway_and_end_words() -> None:
    began = time.monotonic()
    command = ["therapy", "cold", "--minutes", "15", "--time-scale", "0.001", "--captions-only"]
    first = runner.invoke(app, command)
    assert first.exit_code == 0, first.output
    # The first run begins with the notice; later runs go straight to the timer.
    assert first.output.index("not a diagnosis") < first.output.index("Cold session")
    again = runner.invoke(app, command)
    assert time.monotonic() - began < 10
    assert "not a diagnosis" not in again.output
    # Captions: an instruction line, or "(...)" for what is said that is not on it already.
    said = [line.strip().strip("()") for line in again.output.splitlines() if line[:3] == "   "]
    assert said[0].startswith("Cold session, 15 minutes.")
    halfway = said.index("Halfway. 7 minutes 30 seconds to go.")
    assert said.index("Time's up. Take the cold pack off now.") > halfway


def test_typed_quit_ends_the_therapy_timer() -> None:
    command = ["therapy", "heat", "--minutes", "10", "--time-scale", "0.01", "--captions-only"]
    result = runner.invoke(app, command, input="q")
    assert result.exit_code == 0, result.output
    assert "Timer ended. Take the heat off now." in result.output


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
    assert "voicecoach: " in result.output


def test_episode_start_refuses_a_future_time() -> None:
    result = runner.invoke(app, ["episode", "start", "--at", "in 2 hours"])
    assert result.exit_code == 2
    assert "voicecoach: Can't read the time" in result.output


def test_episode_start_then_status_through_the_session_log(tmp_path: Path) -> None:
    started = runner.invoke(app, ["episode", "start", "--at", "50h ago"])
    assert started.exit_code == 0, started.output
    status = runner.invoke(app, ["episode", "status"])
    assert status.exit_code == 0, status.output
    assert "2 days and 2 hours ago" in status.output
    assert "If there is still swelling, keep to cold" in status.output


def test_one_episode_at_a_time_replaced_only_when_asked_and_ended_on_request() -> None:
    assert runner.invoke(app, ["episode", "start", "--at", "50h ago"]).exit_code == 0
    again = runner.invoke(app, ["episode", "start", "--at", "3h ago"])  # no terminal to ask
    assert again.exit_code == 1
    assert "already recorded" in again.output and "--yes" in again.output
    assert "2 days and 2 hours ago" in runner.invoke(app, ["episode", "status"]).output

    replaced = runner.invoke(app, ["episode", "start", "--at", "3h ago", "--yes"])
    assert replaced.exit_code == 0, replaced.output
    status = runner.invoke(app, ["episode", "status"]).output
    assert "3 hours ago" in status and "2 days" not in status

    ended = runner.invoke(app, ["episode", "end"])
    assert ended.exit_code == 0 and "Ended the episode" in ended.output
    assert "No episode recorded" in runner.invoke(app, ["episode", "status"]).output
    assert "nothing to end" in runner.invoke(app, ["episode", "end"]).output


def test_remind_says_it_on_schedule_then_ends() -> None:
    # Reminders at 30 and 60 minutes; the run ends at 75, clear of the second one.
    command = ["remind", "--every", "30m", "--for", "75m", "--time-scale", "0.0003"]
    result = runner.invoke(app, [*command, "--captions-only"])
    assert result.exit_code == 0, result.output
    assert result.output.count("A reminder: avoid long periods of sitting or standing") == 2
    assert "Reminders ended (2 given)." in result.output


def test_remind_ends_cleanly_on_ctrl_c() -> None:
    child = spawn("remind", "--every", "30m", "--time-scale", "0.0005")
    child.expect_exact("avoid long periods of sitting or standing")
    child.sendintr()
    child.expect_exact("Reminders stopped.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")


def test_pain_key_during_a_cold_timer_runs_the_check_and_resume_carries_on() -> None:
    child = spawn("therapy", "cold", "--minutes", "5", "--time-scale", "0.01", "--no-listen")
    child.expect_exact("Put the cold pack on the sore area now.")
    child.send("p")
    answer_flags(child, ["n"] * 4)
    for prompt, key in [
        ("how bad is the pain?", "k"),
        ("Would you like the rest position now?", "n"),
        ("Would you like a cold or heat session?", "n"),
        ("Press c to carry on, press k to move on", "c"),
    ]:
        child.expect_exact(prompt)
        child.send(key)
    child.expect_exact("Back to the timer.")
    child.expect_exact("Time's up. Take the cold pack off now.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
