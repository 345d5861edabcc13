"""Asking the person something and waiting, bounded, for a clear answer.

Every question is spoken, shown, and answered through listener.next_command(timeout),
by voice or by key. A question that gets no clear answer (silence, or an unrelated
word) is asked again, up to `asks` times in all; after that the answer is None, and the
caller decides what is safe. Nothing here ever assumes an answer.

Before each question, commands already waiting are dropped: a "no" heard twice, or said
to the question before, must never answer this one.

While a question waits, the listener takes by voice only its answers (and "stop",
"pain", "repeat", "help"): a "no" misheard as "nine", or a cough heard as "skip", then
cannot answer it, and a "yes" said during a hold means nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from voicecoach.core.ports import Command, Display, Heard, Listener, Log, NoDisplay, Speaker
from voicecoach.core.wording import SPOKEN, Wording

T = TypeVar("T")

PAIN_SCORE_QUESTION = "From zero to ten, how bad is the pain?"
PAIN_SCORE_AGAIN = "I need a number from zero to ten."
SCORE_ANSWERS = frozenset({Command.SCORE, Command.SKIP, Command.NO, Command.NEXT})
"""A number, or a word that declines to give one."""
SCORE_WORDS = (
    "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
)  # fmt: skip
"""How a score is read back."""
CORRECT_WITHIN = 3.0
"""Seconds after a score is read back during which "no" corrects it (it is asked again)."""
MAX_CORRECTIONS = 3
"""How many times one score may be corrected (a bound, so the question cannot loop)."""
CONFIRM_QUESTIONS = {Command.QUIT: "Quit the session?", Command.SKIP: "Skip this exercise?"}
"""What is asked before a spoken "quit" or "skip" is acted on: a false one costs the
session or an exercise, and recognition is not sure enough to risk that."""


@dataclass(frozen=True)
class AskSettings:
    """How long and how often a question is asked."""

    wait_seconds: float = 10.0
    """How long to wait for an answer after the question has been said."""
    asks: int = 2
    """How many times the question is said in all (2: asked, then repeated once)."""


@dataclass(frozen=True)
class Voice:
    """The three ports a question needs, bundled so call sites stay short."""

    speaker: Speaker
    listener: Listener
    display: Display
    title: str = "Safety check"
    """The heading shown above each question."""
    wording: Wording = Wording()
    """Words to say, or keys to press."""

    def tell(self, line: str, title: str = "") -> None:
        """Show the line, then say it: what is said is always on the screen too."""
        self.display.show_step(title or self.title, line)
        self.speaker.say(line)


def ask_choice(
    voice: Voice,
    prompt: str,
    choices: Mapping[Command, T],
    settings: AskSettings = AskSettings(),
    again: str = "",
) -> T | None:
    """Say `prompt` and return the value of the first command in `choices`; None if none came.

    `again` is said before the prompt when it is repeated ("Please answer.").
    """
    with expecting(voice.listener, frozenset(choices)):
        for attempt in range(settings.asks):
            line = f"{again} {prompt}".strip() if attempt and again else prompt
            drop_waiting(voice.listener)
            voice.tell(line)
            heard = voice.listener.next_command(settings.wait_seconds)
            if heard is not None and heard.command in choices:
                return choices[heard.command]
    return None


def ask_yes_no(
    voice: Voice,
    question: str,
    settings: AskSettings = AskSettings(),
    also_yes: frozenset[Command] = frozenset(),
) -> bool | None:
    """Ask a yes/no question: True for yes, False for no, None when no clear answer came."""
    choices: dict[Command, bool] = {Command.YES: True, Command.NO: False}
    choices.update({command: True for command in also_yes})
    again = "Please answer. " + voice.wording.yes_no()
    return ask_choice(voice, question, choices, settings, again=again)


def confirmed(voice: Voice, heard: Heard) -> bool:
    """Whether to act on `heard`: a key acts at once; "quit" and "skip" by voice only
    after a yes to CONFIRM_QUESTIONS (no answer, or no, carries on)."""
    question = CONFIRM_QUESTIONS.get(heard.command)
    if heard.source != "voice" or question is None:
        return True
    if ask_yes_no(voice, question, AskSettings(wait_seconds=6.0, asks=1)):
        return True
    voice.tell("Okay, carrying on.")
    return False


def ask_pain_score(
    speaker: Speaker,
    listener: Listener,
    log: Log,
    when: str,
    display: Display | None = None,
    settings: AskSettings = AskSettings(),
    wording: Wording = SPOKEN,
) -> int | None:
    """Ask for a pain score from 0 to 10; log it as `pain_score` {when, score}.

    `when` says where in the session it was asked: "start", "end" or "after_pain".
    Returns None (and logs nothing) when the person says skip (or no, or next) or
    gives no clear number.
    """
    voice = Voice(speaker, listener, display or NoDisplay(), "Pain score", wording)
    with expecting(listener, SCORE_ANSWERS):
        return _ask_score(voice, log, when, settings)


def _ask_score(voice: Voice, log: Log, when: str, settings: AskSettings) -> int | None:
    listener, wording = voice.listener, voice.wording
    attempt = corrections = 0
    while attempt < settings.asks:
        ask = PAIN_SCORE_QUESTION if attempt == 0 and corrections == 0 else PAIN_SCORE_AGAIN
        line = f"{ask} {wording.score()}"
        drop_waiting(listener)
        voice.tell(line)
        heard = listener.next_command(settings.wait_seconds)
        if heard is not None and heard.command in (Command.SKIP, Command.NO, Command.NEXT):
            voice.tell("Okay, skipped.")
            return None
        if heard is None or heard.command is not Command.SCORE or not _in_range(heard.score):
            attempt += 1
            continue
        assert heard.score is not None
        if corrections < MAX_CORRECTIONS and _corrected(voice, heard.score):
            corrections += 1  # misheard: asked again, as many times as before
            continue
        log.event("pain_score", when=when, score=heard.score)
        return heard.score
    return None


def _in_range(score: int | None) -> bool:
    return score is not None and 0 <= score <= 10


def _corrected(voice: Voice, score: int) -> bool:
    """Read the score back ("Four. Thank you."); True when a "no" follows at once (the
    number was misheard: it is asked for again)."""
    listener = voice.listener
    drop_waiting(listener)
    voice.tell(f"{SCORE_WORDS[score]}. Thank you.")
    heard = listener.next_command(CORRECT_WITHIN)
    return heard is not None and heard.command is Command.NO


@contextmanager
def expecting(listener: Listener, answers: frozenset[Command]) -> Iterator[None]:
    """Have the listener take only `answers` by voice while the block runs."""
    listener.expect(answers)
    try:
        yield
    finally:
        listener.expect(None)


STALE_LIMIT = 100
"""At most this many waiting commands are dropped at once (a bound, not a real case)."""


def drop_waiting(listener: Listener) -> int:
    """Drop commands that arrived before this question; returns how many."""
    dropped = 0
    while dropped < STALE_LIMIT and listener.next_command(0.0) is not None:
        dropped += 1
    return dropped
