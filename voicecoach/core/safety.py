"""The spoken safety flow after "pain" or "stop": the red-flag check and what comes next.

The engine has already silenced the coach when it calls on_pain() or on_stop().
Every wait is listener.next_command(timeout), so every wait is bounded, and nothing
here ever assumes "no" to a red flag or resumes a moving exercise unasked.

Log events written here:
- `red_flag` {flag, answer}: answer is "yes", "no" or "unclear".
- `advice` {flag, text}: the urgent advice that was spoken ("all" when every flag was read).
- `red_flags_read` {reason}: every flag was read out because answers never came clear.
- `pain_score` {when: "after_pain", score}: see asking.ask_pain_score.
- `in_pain` {answer}: the answer to "Are you in pain?" after "stop" (none when the person
  said "resume", or the listener took its "stop" back: then the outcome is resume), or
  after a "pain" the second recogniser doubted.
- `pain_doubted` {}: the second recogniser heard other words where the fast one heard
  "pain", so "Are you in pain?" was asked before the red flags.
- `safety_outcome` {choice}: what the session does next (an AfterCheck value), plus
  `therapy` ("cold", "heat" or "cold or heat") when the person asked for a session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from voicecoach.core import lines
from voicecoach.core.asking import (
    PAIN_CHECK_SECONDS,
    STALE_LIMIT,
    AskSettings,
    Voice,
    ask_choice,
    ask_pain_score,
    ask_yes_no,
)
from voicecoach.core.care import Thermal, thermal_advice, thermal_for_hours
from voicecoach.core.ports import (
    STOP_WITHDRAWN,
    AfterCheck,
    Clock,
    Command,
    Display,
    Heard,
    Listener,
    Log,
    Speaker,
)
from voicecoach.core.redflags import URGENT_FLAGS, RedFlag, read_all_lines
from voicecoach.core.wording import Wording


@dataclass(frozen=True)
class SafetySettings:
    """How patiently the safety flow waits."""

    question: AskSettings = AskSettings(wait_seconds=10.0, asks=2)
    """Each red-flag question, "are you in pain?" and each offer: asked, then repeated once."""
    paused: AskSettings = AskSettings(wait_seconds=30.0, asks=3)
    """After "stop" and "no pain": how often "resume or end?" is asked before the session ends."""
    pain_check_seconds: float = PAIN_CHECK_SECONDS
    """How long a spoken "pain" waits for the second recogniser's word on it (asking.py)."""


NEXT_STEP_CHOICES: dict[Command, AfterCheck] = {
    Command.RESUME: AfterCheck.RESUME,
    Command.SKIP: AfterCheck.SKIP,
    Command.NEXT: AfterCheck.SKIP,
    Command.QUIT: AfterCheck.END,
    Command.STOP: AfterCheck.END,
    Command.PAIN: AfterCheck.END,
}
"""Words that pick the next step outright, whatever was asked (pain again: end, gently)."""


class SpokenSafetyCheck:
    """The Safety the engine hands over to; spoken, answered by voice or keys."""

    def __init__(
        self,
        speaker: Speaker,
        listener: Listener,
        clock: Clock,
        display: Display,
        log: Log,
        settings: SafetySettings = SafetySettings(),
        episode_hours: Callable[[], float | None] = lambda: None,
        listening: bool = True,
    ) -> None:
        """`episode_hours` says how long ago the spasm began (None when unknown), for the
        cold-or-heat advice; `lambda: episode.hours_now(store)` fits. `listening` False: the
        coach names keys to press instead of words to say."""
        self.words = Wording(listening)
        self.voice = Voice(speaker, listener, display, wording=self.words)
        self.speaker = speaker
        self.clock = clock
        self.log = log
        self.settings = settings
        self.episode_hours = episode_hours
        self.requested_therapy: Thermal | None = None
        """Set when the person asked for a cold or heat session: the caller may start one."""

    # -- the two entry points -------------------------------------------------------------

    def on_pain(self, heard: Heard | None = None) -> AfterCheck:
        check = heard.check if heard is not None else None
        if check is not None and check.doubted(self.settings.pain_check_seconds):
            return self._ask_if_in_pain()
        found = self.check_red_flags()
        if found is not None:
            return found
        ask_pain_score(
            self.speaker,
            self.voice.listener,
            self.log,
            "after_pain",
            self.voice.display,
            self.settings.question,
            self.words,
        )
        return self._offer_next_step()

    def check_red_flags(self, intro: str = "") -> AfterCheck | None:
        """Ask each urgent flag; URGENT on a yes, END when unanswered, None when all no."""
        if intro:
            self.voice.tell(intro)
        for question, flag in zip(lines.flag_questions(self.words), URGENT_FLAGS, strict=True):
            answer = ask_yes_no(self.voice, question, self.settings.question)
            self.log.event("red_flag", flag=flag.id, answer=_answer_word(answer))
            if answer is None:
                return self._read_every_flag()
            if answer:
                return self._urgent(flag)
        self.voice.tell(lines.NO_WARNING_SIGNS)
        return None

    def on_severe_pain(self, before_moving: bool) -> AfterCheck:
        """A severe pain score: the red-flag check, then rest unless the person asks to
        move (only offered `before_moving`). URGENT or END as in on_pain; RESUME: move."""
        found = self.check_red_flags()
        if found is not None:
            return found
        if not before_moving:
            return self._decided(AfterCheck.REST)
        wants = ask_yes_no(self.voice, lines.move_anyway(self.words), self.settings.question)
        self.log.event("severe_pain_move_anyway", answer=_answer_word(wants))
        return self._decided(AfterCheck.RESUME if wants else AfterCheck.REST)

    def on_stop(self) -> AfterCheck:
        self.voice.tell(lines.PAUSED)
        if _stop_withdrawn(self.voice.listener):
            self.voice.tell(lines.STOP_WITHDRAWN_LINE)
            return self._decided(AfterCheck.RESUME)  # the caller says it carries on
        answer = self._ask_in_pain()
        if answer == CARRY_ON:  # "resume", or the listener took its "stop" back
            return self._decided(AfterCheck.RESUME)  # the caller says it carries on
        in_pain = answer if isinstance(answer, bool) else None
        self.log.event("in_pain", answer=_answer_word(in_pain))
        if in_pain:
            return self.on_pain()
        return self._stay_paused()

    def _ask_if_in_pain(self) -> AfterCheck:
        """The fast recogniser heard "pain" where the second heard other words ("down",
        "house"): unsure, so ask rather than read the red flags or drop it. Yes, "pain",
        or no clear answer: the red-flag check; no (or "resume"): carry on."""
        self.log.event("pain_doubted")
        answer = self._ask_in_pain()
        in_pain = answer if isinstance(answer, bool) else None
        self.log.event("in_pain", answer=_answer_word(in_pain))
        if answer is False or answer == CARRY_ON:
            self.voice.tell(lines.PAIN_MISHEARD_LINE)
            return self._decided(AfterCheck.RESUME)  # the caller says it carries on
        return self.on_pain()

    def _ask_in_pain(self) -> bool | str | None:
        """ "Are you in pain?": True, False, CARRY_ON ("resume", or the listener took its
        "stop" back) or None (no clear answer)."""
        return ask_choice(
            self.voice,
            lines.ARE_YOU_IN_PAIN,
            IN_PAIN_ANSWERS,
            self.settings.question,
            lines.yes_no_again(self.words),
        )

    # -- the outcomes ------------------------------------------------------------------------

    def _urgent(self, flag: RedFlag) -> AfterCheck:
        self.voice.tell(flag.advice, title="Seek medical help now")
        self.log.event("advice", flag=flag.id, text=flag.advice)
        return self._decided(AfterCheck.URGENT)

    def _read_every_flag(self) -> AfterCheck:
        """No clear answer: read every flag with its advice rather than assume no."""
        self.log.event("red_flags_read", reason="unclear")
        self.voice.tell(lines.READING_THE_SIGNS)
        signs = read_all_lines()
        for line in signs:
            self.voice.tell(line, title="Warning signs")
        self.log.event("advice", flag="all", text=" ".join(signs))
        self.voice.tell(lines.ENDING_TO_REST)
        return self._decided(AfterCheck.END)

    def _offer_next_step(self) -> AfterCheck:
        """After all-clear: rest, a cold or heat session, or carry on; never resume unasked."""
        words = self.words
        self.voice.tell(lines.choices_after_check(words))
        rest, therapy = lines.OFFERS
        offers: tuple[tuple[str, Callable[[], AfterCheck]], ...] = (
            (rest, lambda: self._decided(AfterCheck.REST)),
            (therapy, self._therapy),
        )
        for question, accept in offers:
            answer = self._ask_offer(lines.offer(question, words))
            if isinstance(answer, AfterCheck):
                return self._decided(answer)
            if answer is None:
                return self._end_unanswered()
            if answer:
                return accept()
        choice = ask_choice(
            self.voice,
            lines.carry_on_choice(words),
            NEXT_STEP_CHOICES,
            self.settings.question,
        )
        return self._decided(choice) if choice else self._end_unanswered()

    def _ask_offer(self, question: str) -> bool | AfterCheck | None:
        """A yes/no offer where a word like "resume" or "quit" also answers outright."""
        choices: dict[Command, bool | AfterCheck] = {Command.YES: True, Command.NO: False}
        choices.update(NEXT_STEP_CHOICES)
        return ask_choice(
            self.voice, question, choices, self.settings.question, again=lines.PLEASE_ANSWER
        )

    def _therapy(self) -> AfterCheck:
        hours = self.episode_hours()
        thermal = Thermal.COLD_OR_HEAT if hours is None else thermal_for_hours(hours)
        self.requested_therapy = thermal
        kinds = "cold" if thermal is Thermal.COLD else "heat" if thermal is Thermal.HEAT else None
        cold, heat, either = lines.THERAPY_COMMANDS
        command = cold if kinds == "cold" else heat if kinds == "heat" else either
        self.voice.tell(thermal_advice(hours), title="Cold or heat")
        self.voice.tell(lines.timed_session_elsewhere(command))
        return self._decided(AfterCheck.END, therapy=thermal.value)

    def _stay_paused(self) -> AfterCheck:
        """Not in pain (or no clear answer): stay paused until resume or quit, then end."""
        words = self.words
        choices: dict[Command, AfterCheck | str] = {**NEXT_STEP_CHOICES, Command.PAIN: "pain"}
        choice = ask_choice(
            self.voice,
            lines.still_paused(words),
            choices,
            self.settings.paused,
        )
        if choice == "pain":
            return self.on_pain()
        if isinstance(choice, AfterCheck):
            return self._decided(choice)
        return self._end_unanswered()

    def _end_unanswered(self) -> AfterCheck:
        self.voice.tell(lines.NO_ANSWER_ENDING)
        return self._decided(AfterCheck.END)

    def _decided(self, choice: AfterCheck, **extra: str) -> AfterCheck:
        self.log.event("safety_outcome", choice=choice.value, **extra)
        return choice


CARRY_ON = "carry on"
IN_PAIN_ANSWERS: dict[Command, bool | str] = {
    Command.YES: True,
    Command.PAIN: True,
    Command.NO: False,
    Command.RESUME: CARRY_ON,
}
"""Answers to "Are you in pain?" after "stop"."""


def _stop_withdrawn(listener: Listener) -> bool:
    """Whether the listener took back the "stop" just acted on (it may do so a moment
    after it, when its second recogniser has heard the word); drops what else waits, as
    a question does."""
    withdrawn = False
    for _ in range(STALE_LIMIT):
        heard = listener.next_command(0.0)
        if heard is None:
            break
        withdrawn = withdrawn or heard.text == STOP_WITHDRAWN
    return withdrawn


def phrases_to_prerender(listening: bool = True) -> list[str]:
    """The safety lines to render ahead (AudioSpeaker.prerender_in_background), so that
    after "pain" the first question plays at once rather than after rendering."""
    words = Wording(listening)
    flags = [*lines.flag_questions(words), *(flag.advice for flag in URGENT_FLAGS)]
    return [*flags, lines.PAUSED, lines.ARE_YOU_IN_PAIN]


def _answer_word(answer: bool | None) -> str:
    return "unclear" if answer is None else "yes" if answer else "no"
