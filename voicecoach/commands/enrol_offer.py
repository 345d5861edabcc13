"""The offer to learn the user's voice: asked once, at the end of the first real routine
that ended well, when the coach listens and no takes are stored.

At the end, not the start: a person who opens the coach in pain gets the routine at once,
and one who stopped for pain (or a red flag) is not asked. One question, yes or no by
voice or the y and n keys, asked once; "stop" and "pain" during it are answered as
anywhere (the check), and then it is asked another time. Any other answer, silence
included, is remembered in the data folder: "later" is never asked again; the line says
the command to use instead. A yes runs `voicecoach enrol` once the session is closed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from voicecoach.commands.care_commands import safety_for
from voicecoach.commands.wiring import Coach
from voicecoach.core import lines
from voicecoach.core.asking import AskSettings, UrgentHeard, Voice, ask_yes_no
from voicecoach.core.ports import Outcome
from voicecoach.core.urgent import respond
from voicecoach.core.wording import Wording
from voicecoach.listening.enrolled import read_takes, voice_folder

OFFER_MARKER_NAME = "enrol-offer-answered"
"""In the data folder: the offer was made and answered (its answer inside)."""
OFFERED_AFTER = frozenset({Outcome.COMPLETED, Outcome.QUIT})
"""Sessions after which the offer is made: never after stop or pain, or a red flag."""
OFFER_ASK = AskSettings(wait_seconds=8.0, asks=1)


def offer_marker() -> Path:
    return voice_folder().parent / OFFER_MARKER_NAME


def matcher_installed() -> bool:
    """Whether the takes could be used (without loading the model)."""
    try:
        needed = [importlib.util.find_spec(name) for name in ("onnxruntime", "livekit.wakeword")]
    except ImportError:
        return False
    return all(spec is not None for spec in needed)


def should_offer(coach: Coach, outcome: Outcome, time_scale: float) -> bool:
    """A real session (not a demo) that ended well, listening, not enrolled, not asked."""
    return (
        coach.listening
        and outcome in OFFERED_AFTER
        and time_scale == 1.0
        and not offer_marker().exists()
        and not read_takes(voice_folder())
        and matcher_installed()
    )


def offer_enrolment(coach: Coach, outcome: Outcome, time_scale: float = 1.0) -> bool:
    """Ask once; True when the person said yes (enrolment runs after the coach closes)."""
    if not should_offer(coach, outcome, time_scale):
        return False
    words = Wording(coach.listening)
    voice = Voice(coach.speaker, coach.listener, coach.display, "Your voice", words)
    try:
        answer = ask_yes_no(voice, lines.offer(lines.ENROL_OFFER, words), OFFER_ASK)
    except UrgentHeard as urgent:  # stop or pain: the check, as everywhere; ask another time
        respond(safety_for(coach), urgent.heard)
        return False
    _remember(offer_marker(), "yes" if answer else "later")
    if not answer:
        voice.tell(lines.ENROL_LATER)
    return bool(answer)


def _remember(marker: Path, answer: str) -> None:
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(answer + "\n")
    except OSError:
        pass  # a read-only home: asked again next time
