"""Every spoken word and key, in one table: what a person can say or press, and what it does.

Made from it: the keyboard map (terminal/keys.py), the recogniser's words
(listening/vocabulary.py), the spoken help and the key names in lines (core/lines.py,
core/wording.py), and the keys line under the captions (terminal/captions.py); a test
checks README's "Words and keys" table against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicecoach.core.ports import Command

NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
"""The pain scores as said, zero to ten."""

SCORE_KEYS: dict[str, int] = {**{str(n): n for n in range(10)}, "t": 10}
"""The keys that give a pain score: the digits, and t for ten."""

KEY_CHARACTERS: dict[str, tuple[str, ...]] = {"space": (" ",), "enter": ("\n", "\r")}
"""Keys named by a word, and the characters they type (any other key types itself)."""

SHARED_KEYS: dict[str, Command] = {"n": Command.NO}
"""Keys listed under two commands, and what they send. "n" is next and no: it is sent as
no, and a keyboard "no" means next when no question waits (ports.means_next)."""


@dataclass(frozen=True)
class Control:
    """One thing a person can ask for, by voice or by key."""

    command: Command
    words: tuple[str, ...]
    """What can be said for it, lower case, as the recogniser reports it; the first is
    the word the coach names."""
    keys: tuple[str, ...]
    """The keys that send it: a character, or a name in KEY_CHARACTERS."""
    does: str
    """What it does, as README's table says it."""
    key_help: str = ""
    """What the spoken key help says after the keys ("for next"); "" leaves it out."""


CONTROLS: tuple[Control, ...] = (
    Control(
        Command.NEXT, ("next",), ("space", "n", "enter"), "moves on (ends a hold early)", "for next"
    ),
    Control(
        Command.STOP,
        ("stop",),
        ("s",),
        "silences the coach at once, pauses, asks whether you are in pain",
        "to stop",
    ),
    Control(
        Command.PAIN,
        ("pain", "ouch", "it hurts"),
        ("p",),
        "silences the coach at once and reads the red-flag checks",
        "for pain",
    ),
    Control(
        Command.PAUSE, ("pause",), ("w",), "pauses (the hold's clock stops meanwhile)", "to pause"
    ),
    Control(
        Command.RESUME, ("resume", "continue"), ("c",), "carries on after a pause", "to resume"
    ),
    Control(
        Command.REPEAT,
        ("repeat",),
        ("r",),
        "says the last instruction again (while waiting: the whole step)",
        "to repeat",
    ),
    Control(Command.SKIP, ("skip",), ("k",), "skips the exercise", "to skip"),
    Control(Command.QUIT, ("quit",), ("q",), "ends the session (saved)", "to quit"),
    Control(Command.YES, ("yes",), ("y",), "answers yes to a question"),
    Control(Command.NO, ("no",), ("n",), "answers no to a question"),
    Control(Command.HOW_LONG, ("how long",), ("h",), "time left in the hold", "for how long"),
    Control(Command.HELP, ("help",), ("?",), "says which words it understands"),
    Control(Command.SCORE, NUMBERS, tuple(SCORE_KEYS), "a pain score (t is ten)"),
)
"""Everything a person can say or press, in the order help and README list it."""

BY_COMMAND: dict[Command, Control] = {control.command: control for control in CONTROLS}

_NOT_IN_HELP = frozenset({Command.YES, Command.NO, Command.SCORE})
"""Answers, named by each question that takes them rather than in the general help."""


def keymap() -> dict[str, Command]:
    """Each character the keyboard sends, and the command it stands for (scores aside)."""
    mapping: dict[str, Command] = {}
    for control in CONTROLS:
        if control.command is Command.SCORE:
            continue
        for key in control.keys:
            for character in KEY_CHARACTERS.get(key, (key,)):
                mapping[character] = SHARED_KEYS.get(character, control.command)
    return mapping


def key_for(command: Command) -> str:
    """The key the coach names for `command`: its first that sends only it ("space" for
    next, "c" for resume)."""
    keys = BY_COMMAND[command].keys
    own = [key for key in keys if SHARED_KEYS.get(key, command) is command]
    return (own or list(keys))[0]


def word_for(command: Command) -> str:
    """The word the coach names for `command` ("resume", not "continue")."""
    return BY_COMMAND[command].words[0]


def _in_help() -> list[Control]:
    return [control for control in CONTROLS if control.command not in _NOT_IN_HELP]


def help_words() -> str:
    """The spoken help when the coach listens."""
    words = [control.words[0] for control in _in_help()]
    return f"You can say: {', '.join(words[:-1])}, or {words[-1]}."


def help_keys() -> str:
    """The spoken help on keys only."""
    parts = [f"{_either(c.keys)} {c.key_help}" for c in _in_help() if c.key_help]
    return f"Keys: {', '.join(parts)}."


def _either(keys: tuple[str, ...]) -> str:
    """ "s", "s or t", "space, n or enter"."""
    return keys[0] if len(keys) == 1 else f"{', '.join(keys[:-1])} or {keys[-1]}"


def answers_line(answers: frozenset[Command]) -> str:
    """The keys that answer the question waiting now, "stop" and "pain" with them: shown in
    place of the keys line, so "n" reads as no, not next ("y yes · n no · s stop · p pain")."""
    shown = [c for c in CONTROLS if c.command in answers | URGENT_SHOWN]
    return " · ".join(_answer_keys(c) for c in shown)


URGENT_SHOWN = frozenset({Command.STOP, Command.PAIN})
"""Shown with every question's answers: they work at any moment."""


def _answer_keys(control: Control) -> str:
    if control.command is Command.SCORE:
        return "0-9 score (t ten)"
    keys = [k for k in control.keys if SHARED_KEYS.get(k, control.command) is control.command]
    return f"{'/'.join(keys)} {control.words[0]}"


def keys_line() -> str:
    """The line of keys shown under the captions."""
    return " · ".join(f"{'/'.join(c.keys)} {c.words[0]}" for c in _in_help())
