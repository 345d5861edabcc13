"""The home care around the exercises, from the seed, as pure functions and data.

Cold or heat by the hours since the spasm began, the 72-hour rule, the care summary
and the first-run notice. Everything here is words the coach says or prints; none of it
contains a medicine dose, by design (tests/test_care_seed.py checks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from voicecoach.core.redflags import NOT_URGENT_72H_LINE, URGENT_FLAGS

COLD_ONLY_HOURS = 48.0
"""Before this many hours since the spasm began, cold only (seed: "After 48 hours ... heat")."""
HEAT_FROM_HOURS = 72.0
"""From this many hours, heat (seed: cold "within the first 48 to 72 hours")."""
CONSULT_AFTER_HOURS = 72.0
"""Seed: no improvement "after 72 hours of consistent home treatment" -> consult."""


class Thermal(str, Enum):
    """Which of cold and heat fits this point of the episode."""

    COLD = "cold"
    COLD_OR_HEAT = "cold or heat"
    HEAT = "heat"


def thermal_for_hours(hours: float) -> Thermal:
    """Cold before 48 h; from 48 h to 72 h cold or heat by the swelling; from 72 h heat."""
    if hours < 0:
        raise ValueError("the episode cannot start in the future")
    if hours < COLD_ONLY_HOURS:
        return Thermal.COLD
    if hours < HEAT_FROM_HOURS:
        return Thermal.COLD_OR_HEAT
    return Thermal.HEAT


_THERMAL_ADVICE = {
    Thermal.COLD: (
        "It's still early: use cold, not heat. A cold pack limits swelling and numbs the "
        "pain. Use it on and off, for no more than 15 to 20 minutes at a time."
    ),
    Thermal.COLD_OR_HEAT: (
        "It has been 48 hours or more. If there is still swelling, keep to cold, "
        "15 to 20 minutes at a time. Once the swelling lessens, switch to heat, "
        "which helps the tight muscle relax."
    ),
    Thermal.HEAT: (
        "It has been 72 hours or more: heat is the better choice now. "
        "It brings blood to the muscle and helps it relax."
    ),
}

UNKNOWN_EPISODE_ADVICE = (
    "Use cold first, within the first 48 to 72 hours, for no more than 15 to 20 minutes "
    "at a time. After 48 hours, or once the swelling lessens, switch to heat."
)


def thermal_advice(hours: float | None) -> str:
    """What to say about cold and heat; `hours` since the spasm began, None when unknown."""
    if hours is None:
        return UNKNOWN_EPISODE_ADVICE
    return _THERMAL_ADVICE[thermal_for_hours(hours)]


def scores_improved(scores: Sequence[int]) -> bool | None:
    """Whether the pain has improved over the episode: the latest score below the first.

    None when there are fewer than two scores to compare.
    """
    if len(scores) < 2:
        return None
    return scores[-1] < scores[0]


def consult_line(hours: float | None, scores: Sequence[int]) -> str | None:
    """The 72-hour rule: what every session begins with once it applies, else None.

    `scores` are the episode's pain scores, oldest first. Past 72 hours with scores that
    have not improved (or have worsened), the coach says plainly to consult a healthcare
    provider; past 72 hours with too few scores to tell, it says so as a condition.
    """
    if hours is None or hours < CONSULT_AFTER_HOURS:
        return None
    improved = scores_improved(scores)
    if improved is None:
        return (
            "It has been 72 hours or more since the spasm began. If the pain has not "
            "improved, or is worse, please consult a healthcare provider."
        )
    if improved:
        return None
    return (
        "After 72 hours or more of home care, your pain has not improved. "
        "Please consult a healthcare provider. An assessment can rule out other problems "
        "and plan the right treatment."
    )


@dataclass(frozen=True)
class CareSection:
    """One part of the care summary."""

    title: str
    """A short heading for the screen."""
    lines: tuple[str, ...]
    """The sentences, each spoken and printed as it is."""


MEDICINE = CareSection(
    "Medicine",
    (
        "Over-the-counter medicine can help with pain and swelling.",
        "NSAIDs, such as ibuprofen, reduce pain and inflammation.",
        "Acetaminophen blocks pain signals to the brain, but does not reduce inflammation.",
        "Some products combine an NSAID with acetaminophen.",
        "Use the smallest effective dose, and keep strictly to the daily limit on the label.",
    ),
)

CARE_SUMMARY: tuple[CareSection, ...] = (
    CareSection(
        "Rest positions",
        (
            "During severe pain, find a still position that takes pressure off the spine.",
            "Lie on your back on a firm surface, knees bent, with a pillow under your head. "
            "Pillows under your knees help flatten the lower back.",
            "Or lie on your side in a fetal position, with your knees drawn up.",
        ),
    ),
    CareSection("Cold and heat", (UNKNOWN_EPISODE_ADVICE,)),
    CareSection(
        "Movement",
        (
            "Once the severe pain eases, do not stay completely still: "
            "it stiffens the muscles and slows healing.",
            "Move gently, slowly and deliberately. Never push into sharp pain, "
            "and never bounce a stretch.",
            "Hold gentle stretches, such as knee to chest, for 30 to 60 seconds.",
            "Avoid long periods of sitting or standing; "
            "movement keeps the blood flowing and stops muscles tightening further.",
        ),
    ),
    CareSection(
        "Getting up",
        (
            "To get out of bed, use the log roll: roll onto your side first, then push "
            "yourself up with your arms while you swing your legs off the bed. "
            "This keeps the spine straight, with no twisting.",
        ),
    ),
    CareSection(
        "Water and electrolytes",
        (
            "Drink plenty of water: dehydration can add to cramping and spasms.",
            "Muscles need electrolytes like potassium and magnesium; "
            "electrolyte-rich drinks can help restore the balance.",
        ),
    ),
    CareSection(
        "Around the house",
        ("Avoid soft couches, and wear supportive, flat-soled shoes.",),
    ),
    MEDICINE,
    CareSection(
        "When to get help",
        (
            "Seek medical help immediately if you have any of these:",
            *(flag.statement for flag in URGENT_FLAGS),
            NOT_URGENT_72H_LINE,
        ),
    ),
)
"""`voicecoach care`: the seed's care, section by section."""


DISCLAIMER_LINES: tuple[str, ...] = (
    "voicecoach gives home-care guidance for back spasms. It is not a diagnosis, "
    "and it does not replace a healthcare provider.",
    "Seek medical help immediately if you have any of these:",
    *(flag.statement for flag in URGENT_FLAGS),
    NOT_URGENT_72H_LINE,
    'At any time, say "pain", or press p, and the coach stops and checks these with you.',
)
"""The first-run notice, spoken and shown once."""


def care_summary_lines() -> list[str]:
    """The care summary as plain lines: each heading followed by its sentences."""
    lines: list[str] = []
    for section in CARE_SUMMARY:
        lines.append(section.title + ".")
        lines.extend(section.lines)
    return lines
