"""End to end, with real audio: "stop" and "pain" said while the coach talks are taken at
the first try (issue 12). Before, a word said as the coach counted, or "pain" said over
the caution ("...never push into sharp pain"), was recognised and then thrown away as
"coach speaking".

Each test starts the real coach in the virtual room (tests/voice_rig.py), says the word
once at a moment of voice_scenarios.MOMENTS, and checks the coach took it (it asks "Are
you in pain?" after "stop", the red-flag questions after "pain") within a few seconds.
The rooms: a microphone that does not hear the coach (headphones), and one that hears its
speaker 6 dB under the person (a laptop; the coach cancels the echo). How often each is
taken over many tries is measured, not tested: scripts/bench_voice_end_to_end.py --over.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.listening_support import HUMAN
from tests.voice_rig import LiveMonitor, VirtualRoom, room_for_tests
from tests.voice_scenarios import MOMENTS, said_over, start_coach

pytestmark = pytest.mark.audio

HUMAN_STOP = sorted((HUMAN / "stop").glob("*.wav")) if (HUMAN / "stop").is_dir() else []


OVER_ECHO = pytest.mark.xfail(
    reason="with the coach's speaker in the microphone, a word said just before or as a count "
    "begins reaches the first ear merged with the count, and the canceller, which takes under "
    "1 dB out at a count after quiet, can mangle it for both recognisers: measured live "
    "(bench --over --runs 10 --rooms=-6, stop 19) 78 of 80, counting every five seconds "
    "stop 9/10 and pain 9/10 (README); a single miss must not fail CI",
    strict=False,
)


@pytest.fixture(
    scope="module",
    params=[None, pytest.param(-6.0, marks=OVER_ECHO)],
    ids=["no echo", "echo -6 dB"],
)
def room(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VirtualRoom]:
    with room_for_tests(tmp_path_factory.mktemp("room"), echo_db=request.param) as room:
        yield room


def taken_at_first_try(room: VirtualRoom, folder: Path, moment: str, word: str | Path) -> None:
    mic, speaker = LiveMonitor(room.voice.monitor), LiveMonitor(room.speaker.monitor)
    at = MOMENTS[moment]
    coach = start_coach(room, folder, at.routine, *at.options)
    try:
        mic.wait_streaming()
        speaker.wait_streaming()
        said = said_over(room, coach, mic, speaker, at, word)
        assert said.to_acted is not None, (
            f"not taken; the word began {said.overlap()}\n{coach.transcript()}"
        )
    finally:
        coach.close()
        mic.close()
        speaker.close()


@pytest.mark.parametrize("attempt", [0, 1])
def test_pain_said_as_the_coach_counts_every_second_is_taken(
    room: VirtualRoom, tmp_path: Path, attempt: int
) -> None:
    taken_at_first_try(room, tmp_path, "count 1", "pain")


@pytest.mark.parametrize("clip", [0, 9])
def test_a_human_stop_said_as_the_coach_counts_every_second_is_taken(
    room: VirtualRoom, tmp_path: Path, clip: int
) -> None:
    if not HUMAN_STOP:
        pytest.skip(f"human recordings not found at {HUMAN} (../shared absent)")
    taken_at_first_try(room, tmp_path, "count 1", HUMAN_STOP[clip % len(HUMAN_STOP)])


def test_pain_said_over_the_caution_about_sharp_pain_is_taken(
    room: VirtualRoom, tmp_path: Path
) -> None:
    taken_at_first_try(room, tmp_path, "caution", "pain")
