"""Whether the microphone hears the coach: judged from its level while the coach talks."""

from __future__ import annotations

import random

from voicecoach.listening.echo_presence import CoachInMicrophone

HISS = -75.0
SPEECH = -25.0


def judged(levels_while_talking: list[float], quiet_frames: int = 10) -> bool | None:
    heard = CoachInMicrophone()
    for _ in range(quiet_frames):
        heard.feed(HISS, coach_talking=False)
    for level in levels_while_talking:
        heard.feed(level, coach_talking=True)
    return heard.hears_coach()


def speech_like(frames: int, level: float, rng: random.Random) -> list[float]:
    """Speech comes and goes: a quarter of its frames are gaps between words."""
    return [HISS if rng.random() < 0.25 else level + rng.uniform(-6, 6) for _ in range(frames)]


def test_a_microphone_that_hears_the_speaker_is_told_apart_from_one_that_does_not() -> None:
    rng = random.Random(1)
    assert judged(speech_like(150, SPEECH - 6, rng)) is True  # a laptop: its own speaker
    assert judged([HISS] * 150) is False  # headphones: the microphone hears only its hiss


def test_the_person_speaking_over_the_coach_now_and_then_does_not_make_it_an_echo() -> None:
    rng = random.Random(2)
    levels = [HISS] * 150
    for i in range(20, 35):  # one word said while the coach talked
        levels[i] = SPEECH
    assert judged(levels) is False
    assert judged(speech_like(150, SPEECH, rng)[:30]) is None  # too little talk to tell


def test_nothing_is_known_before_the_coach_has_talked_and_frames_between_lines_are_enough() -> None:
    assert judged([], quiet_frames=200) is None
    assert judged([HISS] * 150, quiet_frames=0) is False  # it never stopped talking


def test_exact_digital_silence_now_and_then_does_not_make_the_hiss_an_echo() -> None:
    """A driver's zeros (or a dropout) are not the room's background: with them taken as
    the background, every frame of hiss looked like the coach's voice in the microphone."""
    zeros = -120.0
    heard = CoachInMicrophone()
    for i in range(300):
        heard.feed(zeros if i % 10 == 0 else HISS, coach_talking=i >= 50)
    assert heard.hears_coach() is False
