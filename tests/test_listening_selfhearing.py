"""The coach must not obey its own voice: its lines, heard by the listener, give nothing."""

from __future__ import annotations

from tests.listening_support import needs_espeak
from tests.support.selfcheck import commands_heard
from voicecoach.listening.recogniser import SelfHearingGate
from voicecoach.listening.sphinx import SphinxEngine
from voicecoach.listening.vocabulary import BY_TEXT, Phrase

COACH_LINES = [
    "Welcome. You can speak to me at any time.",
    "Say stop to pause.",
    "Say next when you're ready.",
    "If it hurts, say pain.",
    "Lie on your back on a firm surface, with your knees bent.",
    "Put a pillow under your head, and pillows under your knees.",
    "Gently tighten your stomach and press the small of your back into the floor.",
    "Hold for thirty seconds.",
    "Ten. Nine. Eight.",
    "And release. Take a rest.",
    "Slowly bring one knee towards your chest. No bouncing.",
    "Never push into sharp pain. If you feel sharp pain, stop.",
    "We'll pause here for a moment. Say next to carry on.",
    "How long you hold is up to you, between thirty and sixty seconds.",
    "Say repeat to hear that again, or skip to move on.",
    "To get up, roll onto your side, and push up with your arms.",
]
"""Representative coach lines, including ones with command words in them."""


@needs_espeak
def test_coach_lines_yield_no_commands() -> None:
    """Live, the gate knows the line being played (speaker.now_playing)."""
    engine = SphinxEngine()
    for line in COACH_LINES:
        gate = SelfHearingGate(lambda line=line: (line, 0.0))
        assert commands_heard([line], engine, gate=gate) == [], line


@needs_espeak
def test_without_the_gate_most_lines_still_give_nothing() -> None:
    """The whole-utterance and quiet-before rules alone reject sentences with command
    words inside; a line that starts with a command ("Ten.", "If it hurts,") needs
    the gate."""
    heard = commands_heard(COACH_LINES, SphinxEngine())
    assert {line for line, _ in heard} <= {"Ten. Nine. Eight.", "If it hurts, say pain."}


def _phrase(text: str) -> Phrase:
    return BY_TEXT[text]


def test_while_the_coach_speaks_only_stop_and_pain_not_in_its_line_get_through() -> None:
    gate = SelfHearingGate(lambda: ("If it hurts, say next.", 0.0))
    assert not gate.allows(_phrase("next"))
    assert not gate.allows(_phrase("it hurts"))
    assert gate.allows(_phrase("pain"))  # pain stays armed through its other words
    assert gate.allows(_phrase("stop"))
    assert not gate.allows(_phrase("repeat"))  # barge-in is for stop and pain only


def test_a_stop_that_begins_with_a_count_may_be_the_count_and_one_after_it_is_taken() -> None:
    gate = SelfHearingGate(lambda: ("13", 10.0))
    assert not gate.allows(_phrase("stop"), began=10.2)  # "thirteen" can decode as "stop"
    assert not gate.allows(_phrase("pain"), began=10.2)
    assert gate.allows(_phrase("stop"), began=10.8)  # the count began well before it
    assert gate.allows(_phrase("pain"), began=9.8)  # it began before the count
    assert not gate.allows(_phrase("next"), began=10.8)  # the rest wait for the coach


def test_where_the_microphone_does_not_hear_the_coach_stop_and_pain_are_always_taken() -> None:
    gate = SelfHearingGate(
        lambda: ("Never push into sharp pain.", 10.0), mic_hears_coach=lambda: False
    )
    assert gate.allows(_phrase("pain"), began=10.5)
    counting = SelfHearingGate(lambda: ("13", 10.0), mic_hears_coach=lambda: False)
    assert counting.allows(_phrase("stop"), began=10.1)


def test_in_the_echo_cancelled_audio_stop_and_pain_are_taken_over_the_coachs_own_word() -> None:
    gate = SelfHearingGate(
        lambda: ("Never push into sharp pain.", 10.0), mic_hears_coach=lambda: True
    )
    assert not gate.allows(_phrase("pain"), began=10.5)  # the microphone's own audio
    assert gate.allows(_phrase("pain"), began=10.5, cleaned=True)


def test_everything_gets_through_while_the_coach_is_silent() -> None:
    gate = SelfHearingGate(lambda: None)
    assert gate.allows(_phrase("repeat"))
    assert gate.allows(_phrase("next"))


def test_gate_covers_the_echo_just_after_a_line_ends() -> None:
    now = [10.0]
    gate = SelfHearingGate(lambda: None, lambda: ("Say next.", 8.0, 9.8), clock=lambda: now[0])
    assert not gate.allows(_phrase("next"))
    now[0] = 11.0
    assert gate.allows(_phrase("next"))


def test_a_word_is_judged_against_the_line_playing_as_it_began_however_many_followed() -> None:
    """Counting every half second, two more counts have started by the time a word is
    decided; the speaker itself only knows the last two."""
    now = [20.0]
    playing: list[tuple[str, float] | None] = [None]
    last: list[tuple[str, float, float] | None] = [None]
    gate = SelfHearingGate(lambda: playing[0], lambda: last[0], clock=lambda: now[0])
    for count, start in (("14", 20.0), ("13", 20.5), ("12", 21.0)):
        playing[0] = (count, start)
        now[0] = start + 0.1
        gate.observe()
        playing[0], last[0] = None, (count, start, start + 0.3)
        now[0] = start + 0.35
        gate.observe()
    assert not gate.allows(_phrase("next"), began=20.6)  # "13" was playing then
    assert not gate.allows(_phrase("stop"), began=20.6)  # and began with it: maybe "thirteen"
    assert gate.allows(_phrase("stop"), began=21.7)  # in the last count's echo, well after it began
