"""Routines are data: YAML files, built-in (package data) or the person's own.

Built-in and user routines go through the same loader and validator. A bad file gets
one line naming the file, the line and the field, and never stops the others loading.

A routine file looks like this:

    title: Gentle relief
    about: Rest position, pelvic tilts, knee to chest, rest, the log roll.
    steps:
      - kind: ready          # say the lines, then wait for "next"
        title: Rest position
        say: [Lie on your back on a firm surface with your knees bent.]
      - kind: hold           # one-sided or not; held 30-60 s, counted out loud
        title: Knee to chest
        say: [Lie on your back.]
        each_side: true
        hold_line: Slowly pull your {side} knee toward your chest.
        release: Slowly release, and lower your {side} leg.

Step kinds: say, ready, paced (a movement done at the person's pace), hold, rest.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from voicecoach.core.settings import HOLD_MAX_SECONDS, HOLD_MIN_SECONDS

STEP_KINDS = ("say", "ready", "paced", "hold", "rest")
MOVEMENT_KINDS = ("paced", "hold")
"""Steps where the body moves: they always carry the seed's cautions."""
MAX_FILE_BYTES = 256 * 1024
MAX_STEPS = 200
MAX_LINE_CHARS = 400
REST_MIN_SECONDS = 10
REST_MAX_SECONDS = 20 * 60

_STEP_FIELDS = {
    "kind",
    "title",
    "say",
    "each_side",
    "hold_line",
    "release",
    "seconds",
    "hold_seconds",
}
_ROUTINE_FIELDS = {"name", "title", "about", "steps"}


class RoutineError(ValueError):
    """A routine file that cannot be used; str() is one line naming file, line and field."""

    def __init__(self, file: str, line: int | None, field_name: str | None, problem: str) -> None:
        where = file if line is None else f"{file}, line {line}"
        what = f"{field_name}: {problem}" if field_name else problem
        # One line even when a field name or a path holds a line break.
        super().__init__(" ".join(f"{where}: {what}".splitlines()))
        self.file = file
        self.line = line
        self.field = field_name


@dataclass(frozen=True)
class Step:
    kind: str
    """One of STEP_KINDS."""
    title: str
    """Shown in large text while the step runs."""
    say: tuple[str, ...] = ()
    """Lines spoken when the step begins."""
    each_side: bool = False
    """For holds: done on the left and the right (as the session's side option allows)."""
    hold_line: str = ""
    """For holds: said before each hold; {side} becomes left or right."""
    release: str = ""
    """For holds: said when each hold ends; {side} becomes left or right."""
    seconds: int | None = None
    """For rests: how long; for holds: a fixed hold length (30-60 s). None: the session's."""


@dataclass(frozen=True)
class Routine:
    name: str
    title: str
    about: str
    steps: tuple[Step, ...]
    source: str
    """Where it was read from: "built-in" or the file path."""
    builtin: bool = False


@dataclass
class Catalogue:
    """Every routine that loaded, and one line for every file that did not."""

    routines: dict[str, Routine] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


class UnknownRoutine(LookupError):
    """No routine by that name; the message names the nearest and lists them all."""


def find_in(catalogue: Catalogue, name: str) -> Routine:
    """The routine called `name`, whatever its case; UnknownRoutine suggests the nearest."""
    by_folded = {known.casefold(): routine for known, routine in catalogue.routines.items()}
    wanted = name.strip().casefold()
    if wanted in by_folded:
        return by_folded[wanted]
    known = ", ".join(sorted(catalogue.routines))
    nearest = difflib.get_close_matches(wanted, list(by_folded), n=1, cutoff=0.6)
    hint = f"; did you mean '{by_folded[nearest[0]].name}'?" if nearest else ""
    raise UnknownRoutine(f"no routine called '{name}'{hint} (there are: {known})")


def user_routines_dir() -> Path:
    """The platform config folder for the person's own routines (VOICECOACH_CONFIG_DIR wins)."""
    override = os.environ.get("VOICECOACH_CONFIG_DIR")
    if override:
        return Path(override) / "routines"
    import platformdirs

    return Path(platformdirs.user_config_dir("voicecoach")) / "routines"


def load_catalogue(user_dir: Path | None = None) -> Catalogue:
    """Built-in routines, then the person's own (which may not replace a built-in)."""
    catalogue = Catalogue()
    for entry in sorted(resources.files("voicecoach.core.routines_data").iterdir(), key=str):
        if entry.name.endswith(".yaml"):
            routine = parse_routine(entry.read_text("utf-8"), f"built-in {entry.name}", entry.name)
            catalogue.routines[routine.name] = _as_builtin(routine)
    folder = user_dir if user_dir is not None else user_routines_dir()
    for path in _routine_files(folder):
        try:
            routine = load_routine_file(path)
        except RoutineError as error:
            catalogue.errors.append(str(error))
            continue
        if routine.name in catalogue.routines:
            catalogue.errors.append(f"{path}: name: '{routine.name}' is already a routine")
            continue
        catalogue.routines[routine.name] = routine
    return catalogue


def _as_builtin(routine: Routine) -> Routine:
    return Routine(routine.name, routine.title, routine.about, routine.steps, "built-in", True)


def _routine_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    except OSError:
        return []


def load_routine_file(path: Path) -> Routine:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RoutineError(str(path), None, None, f"file is too big ({size} bytes)")
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise RoutineError(str(path), None, None, "not UTF-8 text") from error
    except OSError as error:
        raise RoutineError(str(path), None, None, error.strerror or "cannot be read") from error
    return parse_routine(text, str(path), path.name)


def parse_routine(text: str, source: str, filename: str) -> Routine:
    """Parse and validate one routine; RoutineError on anything wrong."""
    if len(text) > MAX_FILE_BYTES:
        raise RoutineError(source, None, None, "file is too big")
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise RoutineError(source, line, None, f"not valid YAML ({problem})") from error
    except (ValueError, RecursionError) as error:
        raise RoutineError(source, None, None, "not valid YAML") from error
    return _RoutineReader(source).routine(root, _stem(filename))


def _stem(filename: str) -> str:
    return filename.rsplit(".", 1)[0]


class _RoutineReader:
    """Walks the YAML node tree, so every error can name its line."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: yaml.Node | None, field_name: str | None, problem: str) -> RoutineError:
        line = node.start_mark.line + 1 if node is not None else None
        return RoutineError(self.source, line, field_name, problem)

    def mapping(self, node: yaml.Node | None, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, what, "expected a mapping of fields")
        fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise self.fail(key, what, "field names must be plain words")
            fields[key.value] = (key, value)
        return fields

    def text(self, node: yaml.Node, field_name: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
            raise self.fail(node, field_name, "expected some text")
        if len(node.value) > MAX_LINE_CHARS:
            raise self.fail(node, field_name, f"longer than {MAX_LINE_CHARS} characters")
        return " ".join(node.value.split())

    def integer(self, node: yaml.Node, field_name: str, low: int, high: int) -> int:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, field_name, "expected a whole number")
        try:
            value = int(node.value)
        except ValueError:
            raise self.fail(node, field_name, "expected a whole number") from None
        if not low <= value <= high:
            raise self.fail(node, field_name, f"must be {low}-{high} (got {value})")
        return value

    def boolean(self, node: yaml.Node, field_name: str) -> bool:
        words = {"true": True, "yes": True, "false": False, "no": False}
        if not isinstance(node, yaml.ScalarNode) or node.value.lower() not in words:
            raise self.fail(node, field_name, "expected true or false")
        return words[node.value.lower()]

    def lines(self, node: yaml.Node, field_name: str) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode):
            return (self.text(node, field_name),)
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, field_name, "expected a line or a list of lines")
        return tuple(self.text(item, field_name) for item in node.value)

    def routine(self, root: yaml.Node | None, default_name: str) -> Routine:
        if root is None:
            raise self.fail(None, None, "the file is empty")
        fields = self.mapping(root, "routine")
        for name, (key, _) in fields.items():
            if name not in _ROUTINE_FIELDS:
                raise self.fail(key, name, f"unknown field (expected {sorted(_ROUTINE_FIELDS)})")
        if "steps" not in fields:
            raise self.fail(root, "steps", "missing")
        name = self.text(fields["name"][1], "name") if "name" in fields else default_name
        title = self.text(fields["title"][1], "title") if "title" in fields else name
        about = self.text(fields["about"][1], "about") if "about" in fields else ""
        steps_node = fields["steps"][1]
        if not isinstance(steps_node, yaml.SequenceNode) or not steps_node.value:
            raise self.fail(steps_node, "steps", "expected a list of steps")
        if len(steps_node.value) > MAX_STEPS:
            raise self.fail(steps_node, "steps", f"more than {MAX_STEPS} steps")
        steps = tuple(self.step(node, i + 1) for i, node in enumerate(steps_node.value))
        return Routine(name.lower().replace(" ", "-"), title, about, steps, self.source)

    def step(self, node: yaml.Node, number: int) -> Step:
        fields = self.mapping(node, f"steps[{number}]")
        for name, (key, _) in fields.items():
            if name not in _STEP_FIELDS:
                raise self.fail(key, f"steps[{number}].{name}", "unknown field")
        if "kind" not in fields:
            raise self.fail(node, f"steps[{number}].kind", "missing")
        kind_node = fields["kind"][1]
        kind = self.text(kind_node, f"steps[{number}].kind")
        if kind not in STEP_KINDS:
            raise self.fail(
                kind_node,
                f"steps[{number}].kind",
                f"unknown kind '{kind}' (expected one of {', '.join(STEP_KINDS)})",
            )
        return self._step_of_kind(kind, fields, node, number)

    def _step_of_kind(
        self,
        kind: str,
        fields: dict[str, tuple[yaml.Node, yaml.Node]],
        node: yaml.Node,
        number: int,
    ) -> Step:
        prefix = f"steps[{number}]"
        title = self.text(fields["title"][1], f"{prefix}.title") if "title" in fields else ""
        say = self.lines(fields["say"][1], f"{prefix}.say") if "say" in fields else ()
        if not title:
            raise self.fail(node, f"{prefix}.title", "missing")
        if kind in ("say", "ready", "paced") and not say:
            raise self.fail(node, f"{prefix}.say", "missing")
        allowed = {
            "say": set(),
            "ready": set(),
            "paced": set(),
            "hold": {"each_side", "hold_line", "release", "hold_seconds"},
            "rest": {"seconds"},
        }[kind]
        for name in ("each_side", "hold_line", "release", "seconds", "hold_seconds"):
            if name in fields and name not in allowed:
                raise self.fail(fields[name][0], f"{prefix}.{name}", f"not used by a {kind} step")
        if kind == "hold":
            return self._hold(fields, node, prefix, title, say)
        seconds = None
        if "seconds" in fields:
            seconds = self.integer(
                fields["seconds"][1], f"{prefix}.seconds", REST_MIN_SECONDS, REST_MAX_SECONDS
            )
        return Step(kind, title, say, seconds=seconds)

    def _hold(
        self,
        fields: dict[str, tuple[yaml.Node, yaml.Node]],
        node: yaml.Node,
        prefix: str,
        title: str,
        say: tuple[str, ...],
    ) -> Step:
        if "hold_line" not in fields:
            raise self.fail(node, f"{prefix}.hold_line", "missing")
        each_side = (
            self.boolean(fields["each_side"][1], f"{prefix}.each_side")
            if "each_side" in fields
            else False
        )
        hold_line = self.text(fields["hold_line"][1], f"{prefix}.hold_line")
        release = (
            self.text(fields["release"][1], f"{prefix}.release")
            if "release" in fields
            else "Slowly release."
        )
        if each_side and "{side}" not in hold_line:
            raise self.fail(
                fields["hold_line"][1],
                f"{prefix}.hold_line",
                "a one-sided hold must name the {side}",
            )
        for name, line in (("hold_line", hold_line), ("release", release)):
            if not each_side and "{side}" in line:
                raise self.fail(
                    fields[name][1],
                    f"{prefix}.{name}",
                    "only a hold with each_side: true can name the {side}",
                )
            try:  # the plan fills in {side} with str.format: any other brace would crash it
                line.format(side="left")
            except (KeyError, IndexError, ValueError, AttributeError):
                raise self.fail(
                    fields[name][1], f"{prefix}.{name}", "braces may only hold {side}"
                ) from None
        seconds = None
        if "hold_seconds" in fields:
            seconds = self.integer(
                fields["hold_seconds"][1],
                f"{prefix}.hold_seconds",
                HOLD_MIN_SECONDS,
                HOLD_MAX_SECONDS,
            )
        return Step("hold", title, say, each_side, hold_line, release, seconds)
