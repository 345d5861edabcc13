"""The one table of spoken words and keys (core/controls.py) is what every part uses:
the keyboard, the recogniser's words, the help, and README's "Words and keys" table."""

from __future__ import annotations

import re
from pathlib import Path

from voicecoach.core.controls import CONTROLS, NUMBERS, SCORE_KEYS, Control, keys_line
from voicecoach.core.lines import HELP_KEYS, HELP_WORDS
from voicecoach.core.ports import Command
from voicecoach.listening.vocabulary import BY_TEXT
from voicecoach.terminal.keys import key_to_heard

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_row(control: Control) -> str:
    if control.command is Command.SCORE:
        words, keys = f"{NUMBERS[0]} … {NUMBERS[-1]}", "0–9, t"
    else:
        words, keys = ", ".join(control.words), ", ".join(control.keys)
    return f"| {words} | {keys} | {control.does} |"


def readme_table() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("### Words and keys", 1)[1]
    table = re.search(r"(?:^\|.*\|\n)+", section, flags=re.M)
    assert table is not None, "README has no table under 'Words and keys'"
    return table.group(0).splitlines()[2:]  # the rows under the heading and its rule


def test_readmes_table_is_the_table() -> None:
    expected = [readme_row(control) for control in CONTROLS]
    assert readme_table() == expected, "README's table should read:\n" + "\n".join(expected)


def test_every_word_is_heard_as_its_command_and_every_key_sends_it() -> None:
    for control in CONTROLS:
        for word in control.words:
            assert BY_TEXT[word].command is control.command, word
        for key in control.keys:
            typed = {"space": " ", "enter": "\n"}.get(key, key)
            heard = key_to_heard(typed)
            assert heard is not None, key
            sent = Command.NO if key == "n" else control.command  # n: next and no
            assert heard.command is sent, key
    assert {key_to_heard(k).score for k in SCORE_KEYS} == set(range(11))  # type: ignore[union-attr]


def test_help_and_the_keys_line_name_every_command_but_the_answers() -> None:
    for control in CONTROLS:
        if control.command in (Command.YES, Command.NO, Command.SCORE):
            continue
        assert control.words[0] in HELP_WORDS
        segment = next(s for s in keys_line().split(" · ") if s.endswith(f" {control.words[0]}"))
        assert segment.split(" ")[0].split("/") == list(control.keys)
        if control.key_help:
            assert f"{control.keys[-1]} {control.key_help}" in HELP_KEYS


def test_the_help_of_commands_that_listen_shows_the_words_and_keys() -> None:
    from typer.testing import CliRunner

    from voicecoach.commands.cli import app

    for command in ("routine", "therapy", "redflags"):
        result = CliRunner().invoke(app, [command, "--help"], terminal_width=400)
        assert result.exit_code == 0
        assert keys_line() in result.output, command


def test_a_yes_no_question_shows_its_answers_and_not_next() -> None:
    from voicecoach.core.controls import answers_line
    from voicecoach.core.ports import Command

    line = answers_line(frozenset({Command.YES, Command.NO}))
    assert "y yes" in line and "n no" in line and "s stop" in line and "p pain" in line
    assert "next" not in line


def test_the_screen_shows_each_questions_answers_then_the_routine_keys_again() -> None:
    from tests.test_engine_safety import Session, answer_all_clear_and_resume
    from voicecoach.core.ports import Command, Outcome

    s = Session(ask_pain_scores=True)
    s.listener.answer_when_said("how bad is the pain", Command.SCORE, score=3, times=2)
    s.pain_once("Slowly pull your left knee", 1.0, at_start=True)
    answer_all_clear_and_resume(s)
    assert s.engine.run() is Outcome.COMPLETED

    shown = [line for line in s.display.keys if line is not None]
    assert any("y yes · n no" in line and "next" not in line for line in shown)  # red flags
    assert any("0-9 score" in line for line in shown)  # the pain score
    assert s.display.keys[-1] is None  # the routine's own keys are back after each question
