"""Levelling the microphone (listening/levelling.py): a soft voice across the room.

A "stop" said softly from across the room (20 dB under espeak-ng's level, the room's
reverb, a steady fan at -50 dBFS) through the real listener and PocketSphinx is heard
with levelling; the fan alone, and a quiet room, give no command with it."""

from __future__ import annotations

import pytest

from tests.listening_support import needs_espeak
from tests.support import espeak, room
from voicecoach.core.ports import DURING_ROUTINE, Heard
from voicecoach.listening.frames import noise, split_frames
from voicecoach.listening.levelling import DEFAULT_LEVELLING, LEVELLINGS, open_levelling
from voicecoach.listening.listener import VoiceListener
from voicecoach.listening.sphinx import SphinxEngine

needs_sox = pytest.mark.skipif(not room.available(), reason="sox is not installed")
ENGINE = SphinxEngine()
SOFT_VOICE = espeak.Voice("en-us+m3", 150, 50)


class Collected:
    def __init__(self) -> None:
        self.heard: list[str] = []

    def put(self, heard: Heard) -> None:
        self.heard.append(heard.text)


def heard(stream: bytes, levelling: str | None) -> list[str]:
    """What the live listener (PocketSphinx alone, during a routine) acts on in `stream`,
    with the named levelling or none."""
    inbox = Collected()
    leveller = LEVELLINGS[levelling]() if levelling else None
    listener = VoiceListener(inbox, ENGINE, expected=lambda: DURING_ROUTINE, levelling=leveller)
    for frame in split_frames(stream, start=-room.LEAD):
        listener.feed(frame)
    return inbox.heard


@needs_espeak
@needs_sox
def test_a_soft_stop_across_the_room_is_heard_with_levelling() -> None:
    """Levelling keeps a soft "stop" across the room heard. (Without it, PocketSphinx
    hears this one too: on the espeak-ng voices it rescued no "stop" of its own; what
    levelling adds is that quiet words reach the decoders at all, for Whisper.)"""
    stream = room.across_the_room(espeak.render("stop", SOFT_VOICE), -20.0, "soft stop")
    assert heard(stream, DEFAULT_LEVELLING) == ["stop"]


def test_the_fan_alone_gives_no_command_with_levelling() -> None:
    assert heard(room.to_pcm(room.fan(30.0, seed=5)), DEFAULT_LEVELLING) == []


def test_a_quiet_room_gives_no_command_with_levelling() -> None:
    assert heard(noise(30.0, seed=6), DEFAULT_LEVELLING) == []


def test_levelling_opens_here() -> None:
    told: list[str] = []
    assert open_levelling(told.append) is not None
    assert told == []
