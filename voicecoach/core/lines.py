"""Every line the coach says that does not come from a routine file, in one place.

The engine, the plan, the safety flow, questions, the cold and heat timer and reminders
say these (the red flags and the care text are content, in redflags.py and care.py).
`every_line()` lists them all, with the red flags and care lines, so the self-hearing test
(tests/test_self_hearing_script.py) hears every one in the coach's own voice. Lines that
name a word to say or a key to press take a Wording; numbers said in them are sampled.
"""

from __future__ import annotations

from voicecoach.core import care, redflags
from voicecoach.core.controls import help_keys, help_words, key_for
from voicecoach.core.ports import Command
from voicecoach.core.wording import Wording, capital

# --- the session (plan.py, engine.py) ----------------------------------------------------

CAUTION = "Move slowly and gently. No bouncing, and never push into sharp pain."
"""The seed: performed slowly and deliberately, without pushing into sharp pain or bouncing."""
ONCE_MORE = "Once more."
HELP_WORDS = help_words()
HELP_KEYS = help_keys()
SKIPPING = "Skipping this one."
ENDING = "Ending the session. Take care."
CARRYING_ON = "Carrying on."
GONE_QUIET = "I haven't heard from you for a while, so I'll end the session here."
REST_INTERLUDE = (
    "Let's rest. Lie on your back with your knees bent, or on your side with your "
    "knees drawn up. Breathe slowly."
)
REST_OVER = "Rest is over. We'll go on."


def intro(listening: bool) -> str:
    """How to stop the coach, said as every session begins."""
    if listening:
        return "At any time, say stop to pause, or say pain if it hurts."
    return (
        f"At any time, press {key_for(Command.STOP)} to pause, "
        f"or {key_for(Command.PAIN)} if it hurts."
    )


def hold_for(seconds: int) -> str:
    return f"Hold for {seconds} seconds."


def ready_prompt(listening: bool) -> str:
    if listening:
        return "Say next when you're ready."
    return f"Press {key_for(Command.NEXT)} when you're ready."


def resume_prompt(listening: bool) -> str:
    if listening:
        return "Say resume when you're ready."
    return f"Press {key_for(Command.NEXT)} to resume."


def paused(listening: bool) -> str:
    return "Paused. " + resume_prompt(listening)


def time_left(seconds: int) -> str:
    return f"About {seconds} seconds left."


def no_timer(listening: bool) -> str:
    return "There's no timer running. " + ready_prompt(listening)


def help_line(listening: bool) -> str:
    return HELP_WORDS if listening else HELP_KEYS


# --- questions (asking.py) ----------------------------------------------------------------

PAIN_SCORE_QUESTION = "From zero to ten, how bad is the pain?"
PAIN_SCORE_AGAIN = "I need a number from zero to ten."
PLEASE_ANSWER = "Please answer."
SCORE_SKIPPED = "Okay, skipped."
NOTED = "Noted."
"""After a pain score. Not "Thank you": the coach's own "Thank you" is heard as "stop" by
the fast recogniser (alone, or after "I heard four.", at most speaking rates)."""
SCORE_WORDS = (
    "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
)  # fmt: skip


def score_read_back(score: int) -> str:
    """Said after a spoken score, so a misheard number can be corrected with "no"."""
    return f"I heard {SCORE_WORDS[score].lower()}. {NOTED}"


def did_you_say(score: int) -> str:
    """Asked when the fast recogniser heard "pain" where the second heard a number, while
    a pain score is asked for: a yes makes it the score."""
    return f"Did you say {SCORE_WORDS[score].lower()}?"


CONFIRM_QUESTIONS = {Command.QUIT: "Quit the session?", Command.SKIP: "Skip this exercise?"}
"""Asked before a spoken quit or skip is acted on (keys act at once)."""
NOT_CONFIRMED = "Okay, carrying on."


def yes_no_again(words: Wording) -> str:
    return f"{PLEASE_ANSWER} {words.yes_no()}"


def score_question(again: bool, words: Wording) -> str:
    return f"{PAIN_SCORE_AGAIN if again else PAIN_SCORE_QUESTION} {words.score()}"


# --- "stop" and "pain" (safety.py) ----------------------------------------------------------

PAUSED = "Paused."
ARE_YOU_IN_PAIN = "Are you in pain?"
STOP_WITHDRAWN_LINE = "I heard stop by mistake."
"""Said when the second recogniser takes back a "stop" the fast one acted on."""
PAIN_MISHEARD_LINE = "I heard pain by mistake."
"""Said after "no" to "Are you in pain?" when only the fast recogniser heard "pain"."""
NO_WARNING_SIGNS = "Good: none of those warning signs."
READING_THE_SIGNS = "I didn't get a clear answer, so I'll read the warning signs."
ENDING_TO_REST = "I'm ending the session now. Rest in a comfortable position."
NO_ANSWER_ENDING = "I haven't heard an answer, so I'm ending the session. It's saved."
OFFERS = ("Would you like the rest position now?", "Would you like a cold or heat session?")
"""After an all-clear: the rest position, then a cold or heat session."""
THERAPY_COMMANDS = (
    "voicecoach therapy cold",
    "voicecoach therapy heat",
    "voicecoach therapy cold, or heat",
)


SEVERE_PAIN_FROM = 7
"""Pain scores from here count as severe (the usual bands of the 0-10 scale: 1-3 mild,
4-6 moderate, 7-10 severe). The care text: a still rest position "during severe pain",
gentle movement only "once severe pain subsides"."""


def severe_pain(score: int) -> str:
    return (
        f"{score} is severe pain. While pain is severe, rest in a position that takes "
        "pressure off your spine. Gentle movement comes once severe pain subsides."
    )


def move_anyway(words: Wording) -> str:
    return f"Do you want to try the movements anyway? {words.yes_no()}"


RESTING_INSTEAD = "Then we'll rest instead of moving."
GETTING_UP_AFTER_REST = (
    "When you are ready to get up, use the log roll: roll onto your side first, then push "
    "yourself up with your arms. Keep your spine straight, and don't twist."
)


def heat_too_early(hours: float) -> str:
    return (
        f"Your spasm began {hours:.0f} hours ago. The care text says cold first, in the "
        "first 48 to 72 hours, and heat after 48 hours, or once the swelling eases."
    )


def heat_anyway(words: Wording) -> str:
    return f"Use heat anyway? {words.yes_no()}"


COLD_FIRST = "Then cold first: the command is voicecoach therapy cold."


def flag_questions(words: Wording) -> list[str]:
    """The red-flag questions as said. The yes/no hint comes after the first question,
    not before it: after "pain" the first red-flag question starts at once."""
    first, *rest = (flag.question for flag in redflags.URGENT_FLAGS)
    return [f"{first} {words.yes_no()}", *rest]


def choices_after_check(words: Wording) -> str:
    return (
        "You can rest, have a cold or heat session, carry on, or end. "
        f"I won't carry on unless you {words.do(Command.RESUME)}."
    )


def offer(question: str, words: Wording) -> str:
    return f"{question} {words.yes_no()}"


ENROL_OFFER = (
    "One more thing. In about two minutes I can learn your voice, so that I hear you "
    "better. Shall we do that now?"
)
ENROL_LATER = "Another time, then. The command is voicecoach enrol."


def carry_on_choice(words: Wording) -> str:
    return (
        f"{words.Do(Command.RESUME)} to carry on, "
        f"{words.do(Command.SKIP)} to move on, or {words.do(Command.QUIT)} to end."
    )


def still_paused(words: Wording) -> str:
    return (
        f"Still paused. {words.Do(Command.RESUME)} to carry on, or "
        f"{words.do(Command.QUIT)} to end. If you're in pain, {words.do(Command.PAIN)}."
    )


def timed_session_elsewhere(command: str) -> str:
    return f"I'll end this session. For a timed session, use {command}."


# --- the cold and heat timer (therapy.py) ---------------------------------------------------


def spoken_minutes(minutes: float) -> str:
    """ "15 minutes", "7 minutes 30 seconds", "1 minute", "45 seconds"."""
    whole = int(minutes)
    seconds = round((minutes - whole) * 60)
    if seconds == 60:
        whole, seconds = whole + 1, 0
    parts = []
    if whole:
        parts.append(f"{whole} minute{'s' if whole != 1 else ''}")
    if seconds or not whole:
        parts.append(f"{seconds} second{'s' if seconds != 1 else ''}")
    return " ".join(parts)


def _applied(kind: str) -> str:
    return "cold pack" if kind == "cold" else "heat"


def therapy_start(kind: str, minutes: float) -> str:
    return (
        f"{kind.capitalize()} session, {spoken_minutes(minutes)}. "
        f"Put the {_applied(kind)} on the sore area now. "
        "I'll tell you at halfway, and when to take it off."
    )


def therapy_halfway(minutes: float) -> str:
    return f"Halfway. {spoken_minutes(minutes / 2)} to go."


def therapy_end(kind: str) -> list[str]:
    if kind == "cold":
        return [
            "Time's up. Take the cold pack off now.",
            "Use cold on and off: take a break before the next cold pack, "
            "and keep each one to no more than 15 to 20 minutes.",
        ]
    return ["Time's up. Take the heat off now."]


def to_go(minutes: float) -> str:
    return f"{spoken_minutes(minutes)} to go."


def timer_stopped(kind: str) -> str:
    return f"Timer ended. Take the {_applied(kind)} off now."  # "stopped" is heard as "stop"


def timer_paused(words: Wording) -> str:
    return f"Paused. {words.Do(Command.RESUME)} to carry on, or {words.do(Command.QUIT)} to end."


def timer_carrying_on(minutes: float) -> str:
    return f"{CARRYING_ON} {to_go(minutes)}"


def back_to_timer(minutes: float) -> str:
    return f"Back to the timer. {to_go(minutes)}"


def timer_help(words: Wording) -> str:
    doing = ", ".join(words.do(c) for c in (Command.PAUSE, Command.RESUME, Command.HOW_LONG))
    pain = words.do(Command.PAIN)
    return f"{capital(doing)}, or {words.do(Command.QUIT)}. If you're in pain, {pain}."


# --- reminders (remind.py) --------------------------------------------------------------------

REMINDER = (
    "A reminder: avoid long periods of sitting or standing. "
    "Change position, or move gently: movement keeps the blood flowing "
    "and stops your muscles tightening."
)


# --- all of them --------------------------------------------------------------------------------

SAMPLE_SECONDS = (1, 5, 10, 15, 20, 25, 30, 45, 59, 60)
"""Hold times left that "how long" is answered with, in the sampled lines."""
SAMPLE_MINUTES = (0.75, 1.0, 7.5, 10.0, 15.0, 20.0, 30.0)
"""Timer lengths and times to go, in the sampled lines."""


def every_line(listening: bool = True) -> list[str]:
    """Every line above as said (numbers sampled), with the red flags and the care lines."""
    words = Wording(listening)
    said = [
        CAUTION, ONCE_MORE, SKIPPING, ENDING, CARRYING_ON, GONE_QUIET, REST_INTERLUDE,
        REST_OVER, intro(listening), ready_prompt(listening), paused(listening),
        no_timer(listening), help_line(listening),
        *(hold_for(s) for s in (30, 45, 60)), *(time_left(s) for s in SAMPLE_SECONDS),
        PLEASE_ANSWER, SCORE_SKIPPED, NOTED, yes_no_again(words),
        score_question(False, words), score_question(True, words),
        PAUSED, ARE_YOU_IN_PAIN, STOP_WITHDRAWN_LINE, PAIN_MISHEARD_LINE, NO_WARNING_SIGNS,
        READING_THE_SIGNS, ENDING_TO_REST,
        NO_ANSWER_ENDING, *flag_questions(words), choices_after_check(words),
        *(offer(question, words) for question in OFFERS), carry_on_choice(words),
        offer(ENROL_OFFER, words), ENROL_LATER,
        still_paused(words), *(timed_session_elsewhere(c) for c in THERAPY_COMMANDS),
        timer_paused(words), timer_help(words), REMINDER,
        move_anyway(words), RESTING_INSTEAD, GETTING_UP_AFTER_REST, NOT_CONFIRMED,
        *CONFIRM_QUESTIONS.values(), *(score_read_back(score) for score in range(11)),
        *(did_you_say(score) for score in range(11)),
        heat_too_early(20.0), heat_anyway(words), COLD_FIRST,
        *(severe_pain(score) for score in range(SEVERE_PAIN_FROM, 11)),
    ]  # fmt: skip
    questions = [ARE_YOU_IN_PAIN, *flag_questions(words)]
    said += [f"{yes_no_again(words)} {question}" for question in questions]  # asked again
    said += [f"{PLEASE_ANSWER} {offer(question, words)}" for question in OFFERS]
    for kind in ("cold", "heat"):
        said += [timer_stopped(kind), *therapy_end(kind)]
        said += [therapy_start(kind, minutes) for minutes in SAMPLE_MINUTES]
    for minutes in SAMPLE_MINUTES:
        said += [therapy_halfway(minutes), timer_carrying_on(minutes), back_to_timer(minutes)]
    said += [*redflags.read_all_lines(), *(flag.advice for flag in redflags.ALL_FLAGS)]
    said += [*care.DISCLAIMER_LINES, *care.care_summary_lines(), care.UNKNOWN_EPISODE_ADVICE]
    said += [care.thermal_advice(hours) for hours in (None, 10.0, 50.0, 80.0)]
    said += [line for line in (care.consult_line(80, []), care.consult_line(80, [3, 5])) if line]
    return list(dict.fromkeys(said))  # each line once, in order
