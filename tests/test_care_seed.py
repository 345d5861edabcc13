"""What the program says against the seed: every red flag and timing is there, no dose anywhere.

The seed (../shared/seed/back-spasm-home-care.txt beside the repository) is read when
present: its timings are parsed from it, and the red-flag facts below are checked to be in
it and to cover each of its red-flag sentences. Without the seed, the same facts are
still checked against the program's words, so CI without shared/ keeps the guarantee.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.care_support import CareRig
from voicecoach.commands import care_commands
from voicecoach.core import care, redflags, therapy
from voicecoach.core import lines as coach_lines
from voicecoach.core.care import consult_line, thermal_advice
from voicecoach.core.ports import Command
from voicecoach.core.redflags import URGENT_FLAGS
from voicecoach.core.safety import SpokenSafetyCheck

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seed" / "back-spasm-home-care.txt"
ROUTINES = REPO / "voicecoach" / "core" / "routines_data"

SEED_TIMINGS = {"48 to 72 hours", "15 to 20 minutes", "30 to 60 seconds", "48 hours", "72 hours"}
"""Every timing the seed gives (checked against the seed itself when it is present)."""

RED_FLAG_FACTS: dict[str, tuple[str, ...]] = {
    "bowel_bladder": ("loss", "bowel", "bladder", "control"),
    "numbness_weakness": ("numbness", "tingling", "weakness", "legs", "groin", "saddle"),
    "major_trauma": ("major trauma", "fall", "car accident"),
    "fever_chills": ("high fever", "chills"),
    "no_improvement_72h": ("improve", "worse", "72 hours", "healthcare provider"),
}
"""Each red flag in the seed, as the words that must be said about it."""


def seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"seed file absent ({SEED}); the copy-free checks still ran")
    return SEED.read_text(encoding="utf-8")


def seed_red_flag_sentences(text: str) -> list[str]:
    """The sentences of the seed's last section that name a sign to act on."""
    section = text.split("When to Seek Medical Attention", 1)[1]
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(section.split()))
    marks = ("red flag", "urgent", "seek medical help", "consult")
    return [s for s in sentences if any(m in s.lower() for m in marks)]


def seed_timings(text: str) -> set[str]:
    """Every "N to M unit" and "N unit" (hours, minutes, seconds) in the seed."""
    unit = r"(?:hours|minutes|seconds)"
    ranges = set(re.findall(rf"\b\d+ to \d+ {unit}", text))
    singles = set(re.findall(rf"(?<!to )\b\d+ {unit}", text))
    return ranges | singles


# --- everything the program says or prints ------------------------------------------------


def scripted_lines() -> Iterator[str]:
    """Lines said in the safety flow and the timers, by running them with fakes."""
    urgent = CareRig()
    urgent.answer(URGENT_FLAGS[0].question, Command.YES)
    urgent.safety.on_pain()
    unclear = CareRig()
    unclear.safety.on_stop()
    unclear.safety.on_pain()
    calm = CareRig(episode_hours=50.0)
    calm.pass_the_check()
    calm.answer("Would you like the rest position", Command.NO)
    calm.answer("Would you like a cold or heat", Command.YES)
    calm.safety.on_pain()
    timers = CareRig()
    timers.listener.command_at(100, Command.PAUSE)
    timers.listener.command_at(110, Command.HOW_LONG)
    timers.listener.command_at(120, Command.RESUME)
    for plan in (therapy.plan_therapy("cold"), therapy.plan_therapy("heat", 30)):
        timers.run_therapy(plan)
    keys = CareRig()
    keys.safety = SpokenSafetyCheck(
        keys.speaker, keys.listener, keys.clock, keys.display, keys.log, listening=False
    )
    keys.pass_the_check()
    keys.safety.on_pain()
    for rig in (urgent, unclear, calm, timers, keys):
        yield from rig.speaker.texts()


def yaml_strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from yaml_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from yaml_strings(value)


def routine_lines() -> Iterator[str]:
    paths = sorted(ROUTINES.glob("*.yaml"))
    assert paths, f"no built-in routines in {ROUTINES}"
    for path in paths:
        yield from yaml_strings(yaml.safe_load(path.read_text(encoding="utf-8")))


def program_lines() -> list[str]:
    lines = [*care.care_summary_lines(), *care.DISCLAIMER_LINES, *redflags.read_all_lines()]
    for flag in redflags.ALL_FLAGS:
        lines += [flag.question, flag.statement, flag.advice]
    lines += [thermal_advice(h) for h in (None, 0.0, 50.0, 80.0)]
    lines += [line for line in (consult_line(80, []), consult_line(80, [3, 5])) if line]
    lines += [*coach_lines.every_line(listening=True), *coach_lines.every_line(listening=False)]
    lines += [care_commands.ALL_CLEAR, care_commands.STANDALONE_INTRO]
    lines += list(scripted_lines())
    lines += list(routine_lines())
    return lines


def said_about_red_flags() -> list[str]:
    """What the red-flag check and the notices say about each flag."""
    return [f"{f.question} {f.statement} {f.advice}" for f in redflags.ALL_FLAGS]


# --- the checks ---------------------------------------------------------------------------


@pytest.mark.parametrize("timing", sorted(SEED_TIMINGS))
def test_every_seed_timing_is_said(timing: str) -> None:
    assert any(timing in line for line in program_lines()), timing


@pytest.mark.parametrize("flag", sorted(RED_FLAG_FACTS))
def test_every_red_flag_is_said_in_one_flag(flag: str) -> None:
    words = RED_FLAG_FACTS[flag]
    assert any(all(w in text.lower() for w in words) for text in said_about_red_flags()), words


def test_the_urgent_flags_all_say_seek_help_immediately() -> None:
    assert len(URGENT_FLAGS) == 4
    for flag in URGENT_FLAGS:
        assert "seek medical help immediately" in flag.advice.lower()


def test_the_timings_are_the_seeds() -> None:
    assert seed_timings(seed_text()) == SEED_TIMINGS


def test_the_red_flag_facts_are_in_the_seed_and_cover_each_of_its_sentences() -> None:
    sentences = seed_red_flag_sentences(seed_text())
    assert len(sentences) >= 4
    joined = " ".join(sentences).lower()
    for words in RED_FLAG_FACTS.values():
        assert all(w in joined for w in words), words
    for sentence in sentences:
        covered = [
            flag
            for flag, words in RED_FLAG_FACTS.items()
            if all(w in sentence.lower() for w in words)
        ]
        assert covered, f"no red flag of the program covers: {sentence}"


# --- no dose, anywhere --------------------------------------------------------------------

NUMBER = (
    r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|half|once|twice|thrice)"
)
DOSE_WORD = (
    r"(?:mg|milligrams?|mcg|micrograms?|grams?|ml|millilit\w*"
    r"|tablets?|pills?|capsules?|caplets?|doses?)"
)
NUMBER_NEAR_DOSE = re.compile(
    rf"\b{NUMBER}\b\W*(?:\w+\W+){{0,2}}{DOSE_WORD}\b|\b{DOSE_WORD}\b\W*(?:\w+\W+){{0,2}}{NUMBER}\b",
    re.IGNORECASE,
)
MEDICINE = re.compile(
    r"\b(?:ibuprofen|acetaminophen|paracetamol|nsaids?|aspirin|naproxen|medicines?|medications?"
    r"|painkillers?|dose|doses|tablets?|pills?|capsules?)\b",
    re.IGNORECASE,
)
ANY_NUMBER = re.compile(rf"\b{NUMBER}\b", re.IGNORECASE)


def dose_problems(line: str) -> list[str]:
    """Why a line would give a dose: a number next to a dose word, or a number in a sentence
    about medicine."""
    problems = [m.group(0) for m in NUMBER_NEAR_DOSE.finditer(line)]
    for sentence in re.split(r"(?<=[.!?;:])\s+", line):
        if MEDICINE.search(sentence) and ANY_NUMBER.search(sentence):
            problems.append(sentence)
    return problems


@pytest.mark.parametrize(
    "line",
    [
        "Take 400 mg of ibuprofen.",
        "Take two tablets.",
        "The dose is 200.",
        "Ibuprofen every 8 hours helps.",
        "A 500-milligram capsule.",
        "Acetaminophen, up to four times a day.",
    ],
)
def test_the_dose_check_catches_doses(line: str) -> None:
    assert dose_problems(line)


def test_no_line_of_the_program_gives_a_dose() -> None:
    lines = program_lines()
    joined = "\n".join(lines)
    # The medicine guidance is really there, so this test is not looking at nothing.
    assert "smallest effective dose" in joined and "ibuprofen" in joined
    bad = {line: dose_problems(line) for line in lines if dose_problems(line)}
    assert not bad


def test_the_notice_keeps_the_72_hour_rule_apart_from_the_urgent_flags():
    from voicecoach.core.care import DISCLAIMER_LINES

    text = " ".join(DISCLAIMER_LINES)
    urgent_from = text.index("Seek medical help immediately")
    rule_at = text.index("72 hours")
    # Between the urgent heading and the 72-hour rule, something says it is not urgent.
    assert "Not urgent" in text[urgent_from:rule_at]
    assert "consult a healthcare provider" in text[rule_at:]


def test_the_gentle_routine_gets_a_person_up_from_the_floor_not_off_a_bed():
    from voicecoach.core.routines import load_catalogue

    gentle = load_catalogue().routines["gentle"]
    log_roll = next(step for step in gentle.steps if "log roll" in step.title.lower())
    said = " ".join(log_roll.say).lower()
    assert "roll onto your side" in said and "push yourself up with your arms" in said
    assert "bed" not in said
