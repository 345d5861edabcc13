"""One coach at a time: a coach started while another runs says so and asks first.

Two coaches listening at once would both act on every word the person says ("next"
moving both on, "quit" ending both). So a second coach starts only when the person
agrees, and then on keys only; with no one at a terminal to ask, it does not start.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from voicecoach.logbook import running_sessions


class NotStarted(Exception):
    """This coach must not start; the message is one line saying why."""


def listen_beside_other_coaches(
    listen: bool,
    can_ask: bool,
    ask: Callable[[str], bool],
    tell: Callable[[str], None],
    path: Path | None = None,
) -> bool:
    """Whether this coach may listen for spoken words: `listen` when no other coach runs;
    False when one does and the person agrees to start anyway; NotStarted otherwise."""
    running = running_sessions(path)
    if not running:
        return listen
    other = running[-1].describe()
    if not can_ask:
        raise NotStarted(
            f"another coach is already running ({other}); not starting a second one. "
            "Finish that one first, or start this one in a terminal to be asked"
        )
    tell(f"Another coach is already running ({other}).")
    if listen:
        tell("Both would act on every word you say, so this one would run on keys only.")
    if not ask("Start this one anyway, on keys only?" if listen else "Start this one anyway?"):
        raise NotStarted("not started; the other coach goes on")
    return False
