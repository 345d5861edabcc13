"""The red flags: symptoms that mean home care is not enough.

Worded from the seed's "When to Seek Medical Attention" section, as close to it as is
natural to speak. Data only; the spoken check that asks them lives in safety.py.
"""

from __future__ import annotations

from dataclasses import dataclass

SEEK_HELP_NOW = "Please stop the exercises and seek medical help immediately."
"""What the coach says after any urgent flag, and after reading the flags unanswered."""


@dataclass(frozen=True)
class RedFlag:
    """One warning sign."""

    id: str
    """Stable name for the log ("bowel_bladder")."""
    question: str
    """The yes/no question the coach asks about it."""
    statement: str
    """The sign said as a statement, for reading every flag aloud."""
    advice: str
    """What to do when the answer is yes."""
    urgent: bool = True
    """True: seek medical help immediately. False: consult a healthcare provider."""


URGENT_FLAGS: tuple[RedFlag, ...] = (
    RedFlag(
        id="bowel_bladder",
        question="Have you suddenly lost control of your bowel or bladder?",
        statement="Sudden loss of bowel or bladder control.",
        advice="Sudden loss of bowel or bladder control is a serious red flag. " + SEEK_HELP_NOW,
    ),
    RedFlag(
        id="numbness_weakness",
        question=(
            "Do you have new or worsening numbness, tingling, or weakness "
            "in your legs, groin, or saddle area?"
        ),
        statement=(
            "New or progressive numbness, tingling, or weakness in the legs, groin, or saddle area."
        ),
        advice=(
            "New numbness, tingling, or weakness can mean a nerve is being pressed "
            "and needs urgent medical care. " + SEEK_HELP_NOW
        ),
    ),
    RedFlag(
        id="major_trauma",
        question="Did this spasm start after a major trauma, such as a fall or car accident?",
        statement="The spasm followed a major trauma, such as a fall or car accident.",
        advice="A spasm after a major trauma needs checking. " + SEEK_HELP_NOW,
    ),
    RedFlag(
        id="fever_chills",
        question="Do you have a high fever and chills with the pain?",
        statement="The pain comes with a high fever and chills.",
        advice="Back pain with a high fever and chills needs checking. " + SEEK_HELP_NOW,
    ),
)
"""Asked one at a time after "pain": any yes ends the session with the advice."""

NO_IMPROVEMENT_72H = RedFlag(
    id="no_improvement_72h",
    question="Has the pain failed to improve, or got worse, after 72 hours of home care?",
    statement=("The pain fails to improve, or gets worse, after 72 hours of consistent home care."),
    advice="If so, consult a healthcare provider.",
    urgent=False,
)
"""Not urgent, and not asked in the spoken check: the episode's 72-hour rule covers it."""
NOT_URGENT_72H_LINE = (
    "Not urgent, but: " + NO_IMPROVEMENT_72H.statement + " " + NO_IMPROVEMENT_72H.advice
)
"""The 72-hour rule as said after the urgent flags: the seed keeps "consult a healthcare
provider" apart from "seek medical help immediately"."""

ALL_FLAGS: tuple[RedFlag, ...] = (*URGENT_FLAGS, NO_IMPROVEMENT_72H)


def read_all_lines() -> list[str]:
    """Every flag with its advice, for when the answers never came clear (never assume no)."""
    lines = ["Seek medical help immediately if any of these is true."]
    lines += [flag.statement for flag in URGENT_FLAGS]
    lines.append(SEEK_HELP_NOW)
    lines.append(NOT_URGENT_72H_LINE)
    return lines
