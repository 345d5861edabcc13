"""Malformed routine files thrown at the loader (hypothesis): it never raises anything but
its own RoutineError, whose message is one line naming the file; and whatever it accepts
can be planned and shown without error."""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicecoach.core.plan import build_plan, script_lines
from voicecoach.core.routines import RoutineError, load_catalogue, load_routine_file, parse_routine
from voicecoach.core.settings import SessionSettings

SOURCE = "/home/someone/.config/voicecoach/core/routines/mine.yaml"
GENTLE_TEXT = resources.files("voicecoach.core.routines_data").joinpath("gentle.yaml").read_text()
GENTLE = yaml.safe_load(GENTLE_TEXT)
RUNS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load_or_refuse(text: str) -> None:
    """The property itself: a RoutineError naming the file in one line, or a usable routine."""
    try:
        routine = parse_routine(text, SOURCE, "mine.yaml")
    except RoutineError as error:
        message = str(error)
        assert message.startswith(SOURCE), message
        assert "\n" not in message and "\r" not in message, repr(message)
        return
    script_lines(build_plan(routine, SessionSettings()))  # what loads must also run


# Values a person (or a bad editor) might put anywhere in the file.
odd_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["{side}", "{", "}", "{0}", "{x}", "{side!r}", "%s", "60", "29", "61", "\n"]),
)
odd_values = st.recursive(
    odd_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    ["kind", "title", "say", "each_side", "hold_line", "release", "seconds", "hold_seconds"]
) | st.text(max_size=12)


@st.composite
def mutated_gentle(draw: st.DrawFn) -> str:
    """gentle.yaml with a few fields replaced, removed or added, dumped back to YAML."""
    data: Any = copy.deepcopy(GENTLE)
    steps = data["steps"]  # kept even if "steps" itself is replaced below
    top_fields = st.sampled_from(["name", "title", "about", "steps"]) | st.text(max_size=8)
    for _ in range(draw(st.integers(1, 4))):
        step = draw(st.sampled_from(steps))
        action = draw(st.sampled_from(["replace", "remove", "add", "top"]))
        if action == "replace" and step:
            step[draw(st.sampled_from(sorted(step)))] = draw(odd_values)
        elif action == "remove" and step:
            del step[draw(st.sampled_from(sorted(step)))]
        elif action == "add":
            step[draw(field_names)] = draw(odd_values)
        else:
            data[draw(top_fields)] = draw(odd_values)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@RUNS
@given(mutated_gentle())
def test_a_routine_with_wrong_fields_gets_one_line_naming_the_file(text: str) -> None:
    load_or_refuse(text)


@RUNS
@given(st.text(max_size=400))
def test_any_text_at_all_gets_one_line_naming_the_file(text: str) -> None:
    load_or_refuse(text)


@RUNS
@given(
    st.integers(0, len(GENTLE_TEXT) - 1),
    st.integers(1, 40),
    st.text(alphabet=":-[]{}&*!|>'\"#%@`\t\n ,?", min_size=1, max_size=8),
)
def test_yaml_broken_by_stray_punctuation_gets_one_line(start: int, length: int, junk: str) -> None:
    load_or_refuse(GENTLE_TEXT[:start] + junk + GENTLE_TEXT[start + length :])


@RUNS
@given(st.binary(max_size=300), st.integers(0, len(GENTLE_TEXT)))
def test_a_file_with_corrupt_bytes_gets_one_line_naming_it(
    tmp_path_factory: pytest.TempPathFactory, junk: bytes, at: int
) -> None:
    path = tmp_path_factory.mktemp("routines") / "mine.yaml"
    raw = GENTLE_TEXT.encode()
    path.write_bytes(raw[:at] + junk + raw[at:])
    try:
        load_routine_file(path)
    except RoutineError as error:
        assert str(error).startswith(str(path)) and "\n" not in str(error)


@pytest.mark.parametrize(
    "text",
    [
        "a: &a [*a]\n",  # an alias that contains itself
        "steps: &s [*s, *s]\n",
        "x: &x " + "[" * 5000 + "]" * 5000 + "\n",  # nesting deep enough to overflow a parser
        "l0: &l0 [a,a,a,a,a,a,a,a,a]\n"
        + "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))
        + "steps: *l9\n",  # "billion laughs": aliases that multiply
        "title: x\nsteps:\n" + "  - kind: say\n    title: t\n    say: s\n" * 300,
        "\ufeff" + GENTLE_TEXT,
        GENTLE_TEXT.replace("  - kind: rest", '  - "a\\nb": 1\n    kind: rest'),
        GENTLE_TEXT + "\x00",
        *(
            "title: x\nsteps:\n  - kind: hold\n    title: t\n    each_side: true\n"
            f"    hold_line: '{line}'\n"
            for line in ("Pull your {side} knee {0}", "Pull your {side} knee {x}", "{side} {")
        ),
    ],
    ids=[
        *("self-alias", "self-alias-steps", "deep", "laughs", "too-many-steps", "bom"),
        *("newline-in-field-name", "nul"),
        *("brace-index", "brace-name", "brace-open"),
    ],
)
def test_hostile_yaml_gets_one_line_naming_the_file(text: str) -> None:
    load_or_refuse(text)


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(GENTLE_TEXT + "# padding\n" * 100_000)
    with pytest.raises(RoutineError, match="too big") as refused:
        load_routine_file(path)
    assert str(refused.value).startswith(str(path))


@RUNS
@given(mutated_gentle())
def test_a_broken_user_routine_never_stops_the_built_ins(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    folder = tmp_path_factory.mktemp("routines")
    (folder / "mine.yaml").write_text(text)
    catalogue = load_catalogue(folder)
    assert {"gentle", "getting-up", "rest"} <= set(catalogue.routines)
    assert all("\n" not in error for error in catalogue.errors)
