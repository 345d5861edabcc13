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

A "stop" or "pain" that is not one of a question's answers is never swallowed: it is
raised as UrgentHeard, for the one handler (core/urgent.py) to act on. One exception asks
first: while a pain score is asked for, a spoken "pain" the second recogniser heard as a
number ("Did you say eight?"; a yes makes it the score, anything else raises the "pain").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TypeVar

from voicecoach.core import lines
from voicecoach.core.controls import answers_line
from voicecoach.core.ports import (
    URGENT_COMMANDS,
    Command,
    Display,
    Heard,
    Listener,
    Log,
    NoDisplay,
    Speaker,
)
from voicecoach.core.wording import SPOKEN, Wording

T = TypeVar("T")

SCORE_ANSWERS = frozenset({Command.SCORE, Command.SKIP, Command.NO, Command.NEXT})
"""A number, or a word that declines to give one."""
CORRECT_WITHIN = 3.0
"""Seconds after a score is read back during which "no" corrects it (it is asked again)."""
MAX_CORRECTIONS = 3
"""How many times one score may be corrected (a bound, so the question cannot loop)."""


class UrgentHeard(Exception):
    """ "stop" or "pain" came while a question waited that does not take it as an answer."""

    def __init__(self, heard: Heard) -> None:
        super().__init__(heard.command.value)
        self.heard = heard


def _urgent_unless_answer(heard: Heard | None, answers: frozenset[Command]) -> None:
    if heard is not None and heard.command in URGENT_COMMANDS and heard.command not in answers:
        raise UrgentHeard(heard)


PAIN_CHECK_SECONDS = 0.8
"""How long a spoken "pain" waits, in silence, for the second recogniser's word on it
(Heard.check) before the red-flag check starts anyway: it comes 0.2 to 0.6 s after the
word on this 2-core machine, and "pain" to the first question is to take under 1 s."""


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
    answers = frozenset(choices)
    with expecting(voice.listener, answers), showing_answers(voice, answers):
        for attempt in range(settings.asks):
            line = f"{again} {prompt}".strip() if attempt and again else prompt
            drop_waiting(voice.listener, answers)
            voice.tell(line)
            heard = voice.listener.next_command(settings.wait_seconds)
            _urgent_unless_answer(heard, answers)
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
    again = lines.yes_no_again(voice.wording)
    return ask_choice(voice, question, choices, settings, again=again)


def confirmed(voice: Voice, heard: Heard) -> bool:
    """Whether to act on `heard`: a key acts at once; "quit" and "skip" by voice only
    after a yes to lines.CONFIRM_QUESTIONS (no answer, or no, carries on)."""
    question = lines.CONFIRM_QUESTIONS.get(heard.command)
    if heard.source != "voice" or question is None:
        return True
    if ask_yes_no(voice, question, AskSettings(wait_seconds=6.0, asks=1)):
        return True
    voice.tell(lines.NOT_CONFIRMED)
    return False


def ask_pain_score(
    speaker: Speaker,
    listener: Listener,
    log: Log,
    when: str,
    display: Display | None = None,
    settings: AskSettings = AskSettings(),
    wording: Wording = SPOKEN,
    leave_on: frozenset[Command] = frozenset(),
) -> int | None:
    """Ask for a pain score from 0 to 10; log it as `pain_score` {when, score}.

    `when` says where in the session it was asked: "start", "end" or "after_pain".
    Returns None (and logs nothing) when the person says skip (or no, or next) or
    gives no clear number. A key in `leave_on` (the routine's quit) is raised to the
    caller as UrgentHeard, as "stop" and "pain" are: it acts at any moment.
    """
    voice = Voice(speaker, listener, display or NoDisplay(), "Pain score", wording)
    with expecting(listener, SCORE_ANSWERS), showing_answers(voice, SCORE_ANSWERS):
        return _ask_score(voice, log, when, settings, leave_on)


def _ask_score(
    voice: Voice, log: Log, when: str, settings: AskSettings, leave_on: frozenset[Command]
) -> int | None:
    listener, wording = voice.listener, voice.wording
    attempt = corrections = 0
    while attempt < settings.asks:
        line = lines.score_question(attempt > 0 or corrections > 0, wording)
        drop_waiting(listener, SCORE_ANSWERS)
        voice.tell(line)
        heard = listener.next_command(settings.wait_seconds)
        meant = _number_meant(voice, heard)
        if meant is not None:
            voice.tell(lines.NOTED)  # confirmed already: no read-back
            log.event("pain_score", when=when, score=meant)
            return meant
        _urgent_unless_answer(heard, SCORE_ANSWERS)
        if heard is not None and heard.command in leave_on and heard.source == "key":
            raise UrgentHeard(heard)
        if heard is not None and heard.command in (Command.SKIP, Command.NO, Command.NEXT):
            voice.tell(lines.SCORE_SKIPPED)
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
    """Read the score back ("I heard four. Noted."); True when a "no" follows
    at once (the number was misheard: it is asked for again)."""
    listener = voice.listener
    drop_waiting(listener)
    voice.tell(lines.score_read_back(score))
    heard = listener.next_command(CORRECT_WITHIN)
    return heard is not None and heard.command is Command.NO


def _number_meant(voice: Voice, heard: Heard | None) -> int | None:
    """A spoken "pain" the second recogniser heard as a number, while a pain score is
    asked for ("eight": PocketSphinx "pain", Whisper "eight"): "Did you say eight?". A yes
    makes it the score; anything else, and the "pain" goes straight to the red-flag check
    (UrgentHeard): Whisper also writes a real "pain" as a number now and then. None: no
    such "pain" (the wait for the word is the one the red-flag check would make)."""
    check = heard.check if heard is not None else None
    number = check.number_instead(PAIN_CHECK_SECONDS) if check is not None else None
    if heard is None or number is None or number.score is None:
        return None
    if ask_yes_no(voice, lines.did_you_say(number.score), AskSettings(wait_seconds=6.0, asks=1)):
        return number.score
    raise UrgentHeard(replace(heard, check=None))  # not doubted any more


@contextmanager
def showing_answers(voice: Voice, answers: frozenset[Command]) -> Iterator[None]:
    """While a question waits, the screen shows the keys that answer it (and stop and
    pain), not the routine's keys: there "n" means no, not next."""
    voice.display.show_keys(answers_line(answers))
    try:
        yield
    finally:
        voice.display.show_keys(None)


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


def drop_waiting(listener: Listener, answers: frozenset[Command] = frozenset()) -> int:
    """Drop commands that arrived before this question; returns how many. A waiting
    "stop" or "pain" is not dropped but raised (UrgentHeard), unless it answers this one."""
    dropped = 0
    while dropped < STALE_LIMIT and (heard := listener.next_command(0.0)) is not None:
        _urgent_unless_answer(heard, answers)
        dropped += 1
    return dropped
