"""The spoken command words, how they are pronounced, and what they mean."""

from __future__ import annotations

from dataclasses import dataclass

from voicecoach.core.controls import CONTROLS, NUMBERS
from voicecoach.core.ports import URGENT_COMMANDS, Command

RECALL_FIRST = URGENT_COMMANDS
"""Operating points by cost. "stop" and "pain" are taken on the weakest evidence: a false
one costs a question ("Are you in pain?"), a missed one is the failure this product must
not have."""
PRECISION_FIRST = frozenset({Command.QUIT, Command.SKIP})
"""A false "quit" ends the session and a false "skip" loses an exercise: these need the
strongest evidence, and by voice they are confirmed too ("Quit the session?")."""


@dataclass(frozen=True)
class Phrase:
    """One thing a person can say, and what it means."""

    text: str
    """The words, lower case, as the recogniser reports them."""
    command: Command
    """What it asks for."""
    score: int | None = None
    """The number, for Command.SCORE."""


_WORDS = {
    word: control.command
    for control in CONTROLS
    if control.command is not Command.SCORE
    for word in control.words
}
"""Every command word, from the one table of words and keys (core/controls.py)."""

PHRASES: tuple[Phrase, ...] = tuple(
    Phrase(text, command) for text, command in _WORDS.items()
) + tuple(Phrase(word, Command.SCORE, score) for score, word in enumerate(NUMBERS))
"""Every phrase the default vocabulary listens for."""

BY_TEXT = {phrase.text: phrase for phrase in PHRASES}

PRONUNCIATIONS: dict[str, tuple[str, ...]] = {
    # From CMUdict (as shipped with PocketSphinx); "resume" leaves out the noun "résumé".
    # Added to it, British forms (as espeak-ng's en-gb voices say them): "four" without
    # its r, "stop" and "long" with the rounded British o, "one" as "won", "resume" with
    # a y. On the espeak-ng tuning voices they raised right commands from 856 to 882 of
    # 1248 with the grammar alone, and rejected non-commands about as before.
    "next": ("N EH K S T", "N EH K S"),
    "stop": ("S T AA P", "S T AO P"),
    "pain": ("P EY N",),
    "ouch": ("AW CH",),
    "it": ("IH T",),
    "hurts": ("HH ER T S",),
    "pause": ("P AO Z",),
    "resume": ("R IH Z UW M", "R IY Z UW M", "R IH Z Y UW M"),
    "continue": ("K AH N T IH N Y UW",),
    "repeat": ("R IH P IY T", "R IY P IY T"),
    "skip": ("S K IH P",),
    "quit": ("K W IH T",),
    "yes": ("Y EH S",),
    "no": ("N OW",),
    "how": ("HH AW",),
    "long": ("L AO NG", "L AA NG"),
    "help": ("HH EH L P",),
    "zero": ("Z IH R OW", "Z IY R OW"),
    "one": ("W AH N", "W AA N"),
    "two": ("T UW",),
    "three": ("TH R IY",),
    "four": ("F AO R", "F AO"),
    "five": ("F AY V",),
    "six": ("S IH K S",),
    "seven": ("S EH V AH N",),
    "eight": ("EY T",),
    "nine": ("N AY N",),
    "ten": ("T EH N",),
}
"""Pronunciations of every word in PHRASES, in the acoustic model's phones."""
