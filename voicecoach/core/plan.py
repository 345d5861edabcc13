"""A routine turned into the exact script of a session: every line, cue, wait and hold.

The same plan drives the engine and `voicecoach show`, so what is shown is what is said.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from voicecoach.core import lines
from voicecoach.core.routines import MOVEMENT_KINDS, Routine, Step
from voicecoach.core.settings import CountStyle, SessionSettings


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Cue:
    name: str


@dataclass(frozen=True)
class WaitForNext:
    """Wait, with no time limit, until the person says "next"."""


@dataclass(frozen=True)
class Hold:
    seconds: int
    """Nominal length; the engine applies the time scale."""
    marks: tuple[tuple[int, str], ...]
    """(seconds into the hold, what to say then)."""
    side: str = ""


@dataclass(frozen=True)
class Rest:
    seconds: int


Action = Say | Cue | WaitForNext | Hold | Rest


@dataclass(frozen=True)
class PlannedStep:
    number: int
    title: str
    kind: str
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class Plan:
    routine: Routine
    intro: tuple[Say, ...]
    steps: tuple[PlannedStep, ...] = field(default=())


def count_marks(seconds: int, style: CountStyle) -> tuple[tuple[int, str], ...]:
    """What is said during a hold, and when. The end itself is marked by a cue."""
    if style is CountStyle.EVERY_SECOND:
        return tuple((s, str(s)) for s in range(1, seconds))
    if style is CountStyle.EVERY_5:
        return tuple((s, str(s)) for s in range(5, seconds, 5))
    countdown_from = seconds - 5
    tens = tuple((s, str(s)) for s in range(10, countdown_from, 10))
    return tens + tuple((countdown_from + i, str(5 - i)) for i in range(5))


def build_plan(routine: Routine, settings: SessionSettings, listening: bool = True) -> Plan:
    intro = (
        Say(f"{routine.title}."),
        Say(lines.intro(listening)),
    )
    steps = tuple(
        PlannedStep(i + 1, step.title, step.kind, _step_actions(step, settings, listening))
        for i, step in enumerate(routine.steps)
    )
    return Plan(routine, intro, steps)


def _step_actions(step: Step, settings: SessionSettings, listening: bool) -> tuple[Action, ...]:
    actions: list[Action] = [Say(line) for line in step.say]
    if step.kind in MOVEMENT_KINDS:
        actions.append(Say(lines.CAUTION))
    if step.kind in ("ready", "paced"):
        actions += [Say(lines.ready_prompt(listening)), WaitForNext()]
    elif step.kind == "hold":
        actions += _hold_actions(step, settings)
    elif step.kind == "rest":
        actions += [Rest(step.seconds or settings.hold_seconds), Cue("hold_end")]
    return tuple(actions)


def _hold_actions(step: Step, settings: SessionSettings) -> list[Action]:
    seconds = step.seconds or settings.hold_seconds
    marks = count_marks(seconds, settings.count_style)
    sides = settings.sides() if step.each_side else [""]
    actions: list[Action] = []
    for repetition in range(settings.repetitions):
        for side in sides:
            if repetition > 0 and side == sides[0]:
                actions.append(Say(lines.ONCE_MORE))
            actions += [
                Say(step.hold_line.format(side=side)),
                Say(lines.hold_for(seconds)),
                Cue("hold_start"),
                Hold(seconds, marks, side),
                Cue("hold_end"),
                Say(step.release.format(side=side)),
            ]
    return actions


def script_lines(plan: Plan) -> list[str]:
    """The plan as text, one line per thing said, cued, waited for or held."""
    lines = [f"{plan.routine.title} ({plan.routine.name})"]
    lines += [f'  say: "{s.text}"' for s in plan.intro]
    for step in plan.steps:
        lines.append(f"{step.number}. {step.title}")
        lines += [f"  {_describe(action)}" for action in step.actions]
    return lines


def _describe(action: Action) -> str:
    if isinstance(action, Say):
        return f'say: "{action.text}"'
    if isinstance(action, Cue):
        return f"cue: {action.name.replace('_', ' ')}"
    if isinstance(action, WaitForNext):
        return "wait for next"
    if isinstance(action, Hold):
        side = f" ({action.side})" if action.side else ""
        counted = ", ".join(text for _, text in action.marks)
        return f"hold {action.seconds} s{side}, counting: {counted}"
    return f"rest {action.seconds} s (quiet)"


def plan_seconds(plan: Plan) -> int:
    """The timed part of a plan (holds and rests), for listing routines."""
    return sum(
        action.seconds
        for step in plan.steps
        for action in step.actions
        if isinstance(action, Hold | Rest)
    )


def spoken_lines(plan: Plan) -> list[str]:
    """Every line the coach will say, counts included (for self-hearing tests)."""
    lines = [s.text for s in plan.intro]
    for step in plan.steps:
        for action in step.actions:
            if isinstance(action, Say):
                lines.append(action.text)
            elif isinstance(action, Hold):
                lines += [text for _, text in action.marks]
    return lines
