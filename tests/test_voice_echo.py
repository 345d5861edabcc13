"""End to end with the coach's own voice in the microphone, as on a laptop's speaker: the
coach takes it back out (echo cancellation), so its long sentence never reaches the
listener as one long sound that would bury a word said over it.

The microphone hears the coach's speaker 6 dB under the person's voice (a PulseAudio
loopback; see tests/voice_rig.py). How often a word said over the coach is acted on is
measured, not tested: scripts/bench_voice_end_to_end.py --echo-db -6, scripts/bench_echo.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pulse
import pytest
from voice_rig import VirtualRoom
from voice_scenarios import LONG_LINE_ROUTINE, LONG_SENTENCE, start_coach

from voicecoach.listening import espeak
from voicecoach.listening.recogniser import Report

pytestmark = pytest.mark.audio


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtualRoom]:
    reason = pulse.ensure_running()
    if reason is not None:
        pytest.skip(reason)
    if not espeak.available():
        pytest.skip("espeak-ng is not installed (apt install espeak-ng)")
    room = VirtualRoom(tmp_path_factory.mktemp("room"), echo_db=-6.0)
    yield room
    room.close()


def sounds_while_the_coach_talks(room: VirtualRoom, folder: Path, *options: str) -> list[Report]:
    """What the listener made of each sound while the coach said its long sentence."""
    coach = start_coach(room, folder, LONG_LINE_ROUTINE, *options)
    try:
        coach.wait_for(re.escape(LONG_SENTENCE[:40]), timeout=40)
        assert coach.finish(timeout=60) == 0
        return coach.listened()
    finally:
        coach.close()


def test_the_coachs_own_voice_heard_back_is_taken_out(room: VirtualRoom, tmp_path: Path) -> None:
    heard = sounds_while_the_coach_talks(room, tmp_path / "on")
    long_sounds = [r for r in heard if r.speech_end - r.speech_start > 1.5]
    assert long_sounds == [], heard
    assert [r for r in heard if r.outcome == "heard"] == []
    # Without the canceller the same room gives the listener the sentence as sound.
    heard = sounds_while_the_coach_talks(room, tmp_path / "off", "--no-echo-cancel")
    assert any(r.speech_end - r.speech_start > 1.5 for r in heard), heard
