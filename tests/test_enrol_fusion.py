"""The user's takes where Whisper decides: a yes Whisper missed is rescued for the voice
that enrolled, and a voice that did not enrol is heard as without the takes. Fakes for the
decision; real PocketSphinx, Whisper and human takes (skipped when absent) end to end."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from voicecoach.core.ports import DURING_ROUTINE, STOP_WITHDRAWN, Command, Heard
from voicecoach.listening.engine import Decoded
from voicecoach.listening.enrolled import Match, second_opinion_rule
from voicecoach.listening.frames import noise
from voicecoach.listening.recogniser import Report
from voicecoach.listening.second_opinion import SecondOpinion, Sound
from voicecoach.listening.vocabulary import BY_TEXT

VOICED = (3000 * np.sin(2 * np.pi * 150 * np.arange(8000) / 16000)).astype("<i2").tobytes()
"""Half a second at a man's pitch: a sound that holds a voice, as a word does."""
YES_NO = frozenset({Command.YES, Command.NO, Command.STOP, Command.PAIN})
HUMAN_TAKES = Path(__file__).resolve().parents[2] / "shared" / "audio" / "human-takes"


class FakeVoice:
    """Takes of stop, yes and no; every sound matches `nearest` at `ratio` of its threshold."""

    words = ("stop", "yes", "no")

    def __init__(self, nearest: str, ratio: float) -> None:
        self.nearest, self.ratio = nearest, ratio

    def match(self, pcm: bytes) -> Match:
        phrase = BY_TEXT[self.nearest] if self.ratio <= 1.0 else None
        return Match(phrase, self.nearest, self.ratio, self.ratio)


class Hears:
    name = "fake whisper"

    def __init__(self, text: str) -> None:
        self.text = text

    def decode(self, pcm: bytes) -> Decoded:
        return Decoded(BY_TEXT.get(self.text), self.text)


def acted_on(
    whisper: str, voice: FakeVoice | None, fast: str | None = None, expected=YES_NO, pcm=VOICED
) -> list[Heard]:
    """What the coach acts on when Whisper heard `whisper` in a sound `pcm` (and the fast
    path `fast`), with the takes of `voice` in use or none."""
    delivered: list[Heard] = []
    second = SecondOpinion(lambda: Hears(whisper), delivered.append, lambda: expected)
    if voice is not None:
        second.enrolled = second_opinion_rule(voice)  # type: ignore[arg-type]
    heard = Heard(BY_TEXT[fast].command, "voice", text=fast) if fast else None
    second.hear(Sound(pcm, Report(1.0, 1.5, "heard"), heard))
    return delivered


def test_a_yes_whisper_missed_is_heard_for_the_voice_that_enrolled_it():
    assert acted_on("", None) == []  # without the takes: nothing, the question waits
    assert [h.command for h in acted_on("", FakeVoice("yes", 0.2))] == [Command.YES]
    assert [h.command for h in acted_on("yeah no", FakeVoice("yes", 0.2))] == [Command.YES]


def test_a_sound_with_no_voice_in_it_whisper_heard_nothing_in_is_not_rescued():
    """A click or a hiss near the takes is not the user's "stop": no voice, no word."""
    click = noise(0.5)
    assert acted_on("", FakeVoice("stop", 0.2), expected=DURING_ROUTINE, pcm=click) == []
    assert acted_on("", FakeVoice("yes", 0.2), pcm=click) == []
    heard = acted_on("", FakeVoice("stop", 0.2), expected=DURING_ROUTINE)
    assert [h.command for h in heard] == [Command.STOP]


def test_a_fast_stop_whisper_heard_as_other_words_stands_when_it_is_the_users_stop():
    withdrawn = acted_on("top", None, fast="stop", expected=DURING_ROUTINE)
    assert [h.text for h in withdrawn] == [STOP_WITHDRAWN]
    kept = acted_on("top", FakeVoice("stop", 0.3), fast="stop", expected=DURING_ROUTINE)
    assert kept == []  # the stop already acted on stands: nothing withdrawn


@pytest.mark.parametrize("whisper", ["", "yes", "no", "stop", "pain", "next", "hello there"])
@pytest.mark.parametrize("fast", [None, "stop", "pain"])
def test_a_voice_unlike_the_takes_is_heard_as_without_them(whisper: str, fast: str | None):
    """Someone else speaking (far from every take): what Whisper heard decides, as when
    nobody enrolled; a fast stop in a sound with no words at all may only be withdrawn."""
    stranger = FakeVoice("yes", 4.0)
    without = acted_on(whisper, None, fast)
    with_takes = acted_on(whisper, stranger, fast)
    if whisper == "" and fast == "stop" and with_takes != without:
        assert [h.text for h in with_takes] == [STOP_WITHDRAWN]
    else:
        assert with_takes == without


def test_never_a_different_word_for_a_stop_or_pain_whisper_heard():
    for word in ("stop", "pain"):
        heard = acted_on(word, FakeVoice("no", 0.05), expected=DURING_ROUTINE)
        assert [h.command for h in heard] == [BY_TEXT[word].command]


# --- real recognisers on human takes ---------------------------------------------------


def _speakers_with_takes(word: str, least: int) -> list[list[Path]]:
    by: dict[str, list[tuple[int, Path]]] = {}
    with open(HUMAN_TAKES / "manifest.csv") as manifest:
        for row in csv.DictReader(manifest):
            if row["label"] == word:
                by.setdefault(row["speaker"], []).append(
                    (int(row["take"]), HUMAN_TAKES / row["file"])
                )
    return [[p for _, p in sorted(takes)] for _, takes in sorted(by.items()) if len(takes) >= least]


def test_real_takes_with_both_recognisers_lose_no_answer_and_others_lose_nothing():
    """Human takes, never tuned on: speakers who enrolled yes on 3 takes answer a question
    with their other takes at least as well as without the takes, and a speaker who did
    not enrol (another one's takes loaded) loses nothing."""
    if not HUMAN_TAKES.is_dir():
        pytest.skip(f"{HUMAN_TAKES} is absent: no human takes to test on")
    from scripts.eval_recogniser import pipeline_run, together
    from voicecoach.listening.engine import EngineUnavailable, make_engine
    from voicecoach.listening.enrolled import (
        FAST_WITH_WHISPER,
        WITH_WHISPER,
        EnrolledEngine,
        EnrolledVoice,
        matcher_available,
    )
    from voicecoach.listening.frames import read_wav

    if not matcher_available():
        pytest.skip("the voice matcher needs: pip install 'voicecoach[enrol]'")
    try:
        whisper = make_engine("whisper")
    except EngineUnavailable as error:
        pytest.skip(str(error))
    sphinx = make_engine("pocketsphinx")
    people = _speakers_with_takes("yes", 4)[:5]
    voices = [EnrolledVoice({"yes": [read_wav(p) for p in takes[:3]]}) for takes in people]

    def right(takes: list[Path], voice: EnrolledVoice | None) -> int:
        if voice is None:
            runner = together(sphinx, whisper)
        else:
            fast = EnrolledEngine(sphinx, voice, FAST_WITH_WHISPER)
            runner = together(fast, EnrolledEngine(whisper, voice, WITH_WHISPER))
        return sum(
            pipeline_run(runner, read_wav(p), None, None, YES_NO)[0] == ["yes"] for p in takes
        )

    for index, takes in enumerate(people):
        held_out = takes[3:]
        assert right(held_out, voices[index]) >= right(held_out, None), people[index][0].name
        stranger = voices[(index + 1) % len(voices)]
        assert right(held_out, stranger) >= right(held_out, None), people[index][0].name


def test_a_clear_other_word_is_not_taken_for_a_command_and_a_mishearing_is():
    from voicecoach.listening.enrolled import Fusion, fuse

    alike = Fusion(0.7, 0.7, 0.7, alike=True)
    near_stop = Match(BY_TEXT["stop"], "stop", 0.4, 0.4)
    near_no = Match(BY_TEXT["no"], "no", 0.4, 0.4)
    words = ("stop", "yes", "no")
    for other in ("down", "off", "up up up"):  # said by the user, near their own stop
        assert fuse(Decoded(None, other), near_stop, words, alike).phrase is None
    assert fuse(Decoded(None, "let s stop"), near_stop, words, alike).phrase == BY_TEXT["stop"]
    for misheard in ("now", "nine", "and now"):
        assert fuse(Decoded(None, misheard), near_no, words, alike).phrase == BY_TEXT["no"]
    assert fuse(Decoded(None, ""), near_no, words, alike).phrase == BY_TEXT["no"]
