"""A spoken word counts only when the session can take it now: "yes", "no" and the
numbers only while a question asks for them; while a question waits, only its answers
and "stop", "pain", "repeat" and "help". Keys are always taken."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes import FakeClock, FakeListener, FakeSpeaker
from tests.listening_support import needs_espeak
from tests.support import espeak
from voicecoach.core.asking import SCORE_ANSWERS, AskSettings, Voice, ask_pain_score, ask_yes_no
from voicecoach.core.inbox import Inbox
from voicecoach.core.ports import Command, Heard, NoDisplay, NullLog
from voicecoach.listening.frames import SAMPLE_RATE, noise, split_frames
from voicecoach.listening.listener import VoiceListener
from voicecoach.listening.sphinx import SphinxEngine


class Person:
    """Says words into a listener, one after another on one stream clock."""

    def __init__(self, listener: VoiceListener) -> None:
        self.listener = listener
        self.at = 0.0

    def says(self, word: str) -> None:
        """`word` alone, with quiet around it."""
        pcm = noise(0.5) + espeak.render(word) + noise(1.0)
        for frame in split_frames(pcm, start=self.at):
            self.listener.feed(frame)
        self.at += len(pcm) / 2 / SAMPLE_RATE


@pytest.fixture(scope="module")
def engine() -> SphinxEngine:
    return SphinxEngine()


@needs_espeak
def test_yes_and_numbers_mean_nothing_during_a_routine_but_answer_a_question(
    engine: SphinxEngine,
) -> None:
    inbox = Inbox()
    person = Person(VoiceListener(inbox, engine, expected=inbox.expected))
    person.says("yes")
    person.says("five")
    assert inbox.next_command(0.0) is None  # no question waiting: not commands
    inbox.expect(frozenset({Command.YES, Command.NO}))
    person.says("yes")
    person.says("next")  # not an answer to this question
    got = inbox.next_command(0.0)
    assert got is not None and got.command is Command.YES
    assert inbox.next_command(0.0) is None
    inbox.expect(SCORE_ANSWERS)
    person.says("five")
    got = inbox.next_command(0.0)
    assert got is not None and got.command is Command.SCORE and got.score == 5


@needs_espeak
def test_stop_is_heard_whatever_question_waits(engine: SphinxEngine) -> None:
    inbox = Inbox()
    person = Person(VoiceListener(inbox, engine, expected=inbox.expected))
    inbox.expect(SCORE_ANSWERS)
    person.says("stop")
    got = inbox.next_command(0.0)
    assert got is not None and got.command is Command.STOP


def test_keys_are_taken_whatever_is_expected() -> None:
    inbox = Inbox()
    inbox.put(Heard(Command.YES, source="key", text="y"))  # no question: the engine decides
    got = inbox.next_command(0.0)
    assert got is not None and got.command is Command.YES


def test_a_question_expects_its_answers_only_while_it_waits() -> None:
    clock = FakeClock()
    speaker = FakeSpeaker(clock)
    listener = FakeListener(clock, speaker)
    listener.answer_when_said("Are you comfortable?", Command.YES)
    voice = Voice(speaker, listener, NoDisplay())
    assert ask_yes_no(voice, "Are you comfortable?", AskSettings(wait_seconds=5.0)) is True
    assert listener.expectations == [frozenset({Command.YES, Command.NO}), None]
    answered = ask_pain_score(speaker, listener, NullLog(), "start", settings=AskSettings(1.0, 1))
    assert answered is None  # nobody answered
    assert listener.expectations[-2:] == [SCORE_ANSWERS, None]


@needs_espeak
def test_the_session_wires_what_the_inbox_expects_into_the_listener(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """start_listening hands the Inbox's expectation to the recogniser, so care commands
    and routines (both use it) drop a "yes" heard while no question waits."""
    import voicecoach.audio.microphone as microphone
    import voicecoach.listening.engine as engines
    from voicecoach.commands.wiring import AudioOptions, start_listening
    from voicecoach.listening.engine import Decoded
    from voicecoach.listening.vocabulary import BY_TEXT

    class SaysYes:
        name = "says-yes"

        def decode(self, pcm: bytes) -> Decoded:
            return Decoded(BY_TEXT["yes"], "yes", -10.0)

    class NoMicrophone:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        def start(self) -> None:
            pass

        def stop(self) -> None:
            pass

    monkeypatch.setattr(engines, "make_engine", lambda *args: SaysYes())
    monkeypatch.setattr(microphone, "Microphone", NoMicrophone)
    inbox = Inbox()
    voice = start_listening(AudioOptions(), inbox, None)
    assert voice is not None
    try:
        person = Person(voice.listener)
        second = voice.listener.second  # Whisper decides "yes", on its own thread
        person.says("yes")
        assert second is None or second.idle.wait(5.0)
        assert inbox.next_command(0.0) is None
        inbox.expect(frozenset({Command.YES, Command.NO}))
        person.says("yes")
        got = inbox.next_command(5.0)
        assert got is not None and got.command is Command.YES
    finally:
        voice.stop()
