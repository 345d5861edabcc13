"""`voicecoach enrol`: the conversation with fakes, the take checks on generated audio,
the matcher on espeak-ng voices (and on human takes when they are present), and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support import espeak
from voicecoach.commands.cli import app
from voicecoach.commands.enrol import ADVICE, Enroller, Enrolment, store
from voicecoach.core.ports import Command
from voicecoach.listening.engine import Decoded
from voicecoach.listening.enrolled import (
    ENROL_WORDS,
    INDEX_NAME,
    EnrolledVoice,
    Match,
    fuse,
    matcher_available,
    read_takes,
    second_opinion_rule,
)
from voicecoach.listening.frames import noise, split_frames
from voicecoach.listening.takes import cut_take
from voicecoach.listening.vocabulary import BY_TEXT

runner = CliRunner()
HUMAN_TAKES = Path(__file__).resolve().parents[2] / "shared" / "audio" / "human-takes"


def word_pcm(n: int) -> bytes:
    """Distinct fake audio for take n (the enrol flow only stores it)."""
    return bytes([n % 256, 1]) * 1600


class FakeTakes:
    """Hands out scripted takes in order; a good one when the script runs out."""

    def __init__(self, script: list[str | None]) -> None:
        self.script = list(script)
        self.listened = 0

    def listen(self, seconds: float):
        from voicecoach.listening.takes import Take

        self.listened += 1
        problem = self.script.pop(0) if self.script else None
        return Take(None if problem else word_pcm(self.listened), problem)


class FakeKeys:
    """A key pressed while the coach listens for the n-th take."""

    def __init__(self, source: FakeTakes, at_take: int, key: Command) -> None:
        self.source, self.at_take, self.key = source, at_take, key

    def __call__(self) -> Command | None:
        return self.key if self.source.listened == self.at_take else None


def run(script: list[str | None], words=("stop", "yes"), key=None) -> tuple[Enrolment, list[str]]:
    said: list[str] = []
    source = FakeTakes(script)
    keys = FakeKeys(source, *key) if key else (lambda: None)
    return Enroller(said.append, source, keys).run(words), said


def test_a_bad_take_is_explained_and_asked_for_again():
    enrolment, said = run(["too quiet", None, "clipped", None, None, None, "too long", None])
    assert said.count(ADVICE["too quiet"]) == 1
    assert ADVICE["clipped"] in said and ADVICE["too long"] in said
    assert [len(enrolment.takes[w]) for w in ("stop", "yes")] == [3, 3]
    assert said.index(ADVICE["too quiet"]) == said.index("Say: stop.") + 1
    assert said[said.index(ADVICE["too quiet"]) + 1] == "Again: stop."


def test_a_word_never_heard_is_left_after_three_tries_and_the_next_one_asked():
    enrolment, said = run(["no speech"] * 3)
    assert "stop" not in enrolment.takes and enrolment.skipped == ["stop"]
    assert said.count(ADVICE["no speech"]) == 3
    assert len(enrolment.takes["yes"]) == 3


def test_keys_skip_a_word_and_quit_keeps_the_words_finished():
    enrolment, said = run([], words=("stop", "yes", "no"), key=(4, Command.SKIP))
    assert enrolment.skipped == ["yes"] and "Skipping yes." in said
    assert len(enrolment.takes["no"]) == 3
    enrolment, _ = run([], words=("stop", "yes", "no"), key=(5, Command.QUIT))
    assert enrolment.quit and list(enrolment.takes) == ["stop"]


def test_takes_are_stored_as_wav_files_with_an_index_and_earlier_words_kept(tmp_path):
    first, _ = run([], words=("stop", "yes"))
    store(tmp_path, first)
    again, _ = run([], words=("stop",))
    stored = store(tmp_path, again)
    index = json.loads((tmp_path / INDEX_NAME).read_text())
    assert sorted(index["words"]) == ["stop", "yes"]
    assert len(list(tmp_path.glob("*.wav"))) == 6
    assert read_takes(tmp_path) == stored
    assert stored["stop"] == again.takes["stop"]  # the new takes replaced the old


def test_the_words_asked_for_include_the_ones_that_matter_most():
    assert {"stop", "pain", "next", "yes", "no"} <= set(ENROL_WORDS)
    assert all(word in BY_TEXT for word in ENROL_WORDS)


# --- take checks on generated audio --------------------------------------------------


needs_espeak = pytest.mark.skipif(not espeak.available(), reason="espeak-ng is not installed")


def frames_of(pcm: bytes):
    return split_frames(noise(0.5, seed=1) + pcm + noise(1.0, seed=2))


def scaled(pcm: bytes, gain: float) -> bytes:
    import array

    samples = array.array("h", pcm)
    return array.array("h", (max(-32768, min(32767, int(s * gain))) for s in samples)).tobytes()


@needs_espeak
def test_each_take_is_checked():
    word = espeak.render("stop")
    assert cut_take(frames_of(word)).pcm is not None
    assert cut_take(frames_of(scaled(word, 0.08))).problem == "too quiet"
    assert cut_take(frames_of(scaled(word, 30.0))).problem == "clipped"
    sentence = espeak.render("please slowly bring your knee up towards your chest")
    assert cut_take(frames_of(sentence)).problem == "too long"
    assert cut_take(split_frames(noise(3.0))).problem == "no speech"


# --- the matcher ---------------------------------------------------------------------


needs_matcher = pytest.mark.skipif(
    not matcher_available(), reason="the voice matcher needs: pip install 'voicecoach[enrol]'"
)
TUNING_WORDS = ("stop", "pain", "next", "yes", "no")


def espeak_takes(voice: str, speeds: tuple[int, ...]) -> dict[str, list[bytes]]:
    return {
        word: [espeak.render(word, espeak.Voice(voice, speed)) for speed in speeds]
        for word in TUNING_WORDS
    }


@needs_espeak
@needs_matcher
def test_the_matcher_knows_an_enrolled_voice_saying_its_words_at_another_speed():
    voice = EnrolledVoice(espeak_takes("en-gb", (130, 160, 190)))
    for word in TUNING_WORDS:
        match = voice.match(espeak.render(word, espeak.Voice("en-gb", 145)))
        assert match.word == word and match.phrase == BY_TEXT[word], (word, match)


@needs_espeak
@needs_matcher
def test_the_matcher_takes_no_other_word_for_a_command():
    voice = EnrolledVoice(espeak_takes("en-gb", (130, 160, 190)))
    for other in ("house", "tree", "happy", "forward", "seven"):
        match = voice.match(espeak.render(other, espeak.Voice("en-gb", 160)))
        assert match.phrase is None, (other, match)


@needs_matcher
def test_the_matcher_on_human_takes_held_out_from_enrolment():
    if not HUMAN_TAKES.is_dir():
        pytest.skip(f"{HUMAN_TAKES} is absent: no human takes to test on")
    import csv

    from voicecoach.listening.frames import read_wav

    by: dict[str, dict[str, list[tuple[int, str]]]] = {}
    with open(HUMAN_TAKES / "manifest.csv") as manifest:
        for row in csv.DictReader(manifest):
            by.setdefault(row["speaker"], {}).setdefault(row["label"], []).append(
                (int(row["take"]), row["file"])
            )
    words = ("stop", "yes", "no")
    speaker = next(s for s, w in sorted(by.items()) if all(len(w.get(x, [])) >= 4 for x in words))
    files = {w: [f for _, f in sorted(by[speaker][w])] for w in words}
    voice = EnrolledVoice({w: [read_wav(HUMAN_TAKES / f) for f in files[w][:3]] for w in words})
    held_out = [(w, f) for w in words for f in files[w][3:]]
    right = sum(voice.match(read_wav(HUMAN_TAKES / f)).word == w for w, f in held_out)
    assert right >= 0.8 * len(held_out), (speaker, right, len(held_out))


@needs_matcher
def test_a_click_before_a_word_is_not_taken_for_the_stop_of_a_voice_that_enrolled():
    """Real recordings: the click that opens a human "no" (another speaker) lay at half
    the "stop" threshold of speaker 97f4c236's takes, and where Whisper heard no words in
    it, was rescued as a "stop" for a voice that never enrolled. A sound that holds no
    voice is no enrolled word; that speaker's own held-out "stop" still is."""
    human_no = HUMAN_TAKES.parent / "human" / "no" / "sc_d5ca80c6_0.wav"
    if not HUMAN_TAKES.is_dir() or not human_no.exists():
        pytest.skip(f"{HUMAN_TAKES.parent} is absent: no human recordings to test on")
    from scripts.eval_recogniser import padded_frames
    from voicecoach.listening.frames import read_wav

    stops = sorted((HUMAN_TAKES / "stop").glob("sc2test_97f4c236_*.wav"))
    takes = [cut_take(padded_frames(read_wav(path))).pcm for path in stops[:3]]
    voice = EnrolledVoice({"stop": [t for t in takes if t is not None]})
    click = read_wav(human_no)[: int(0.19 * 16000) * 2]  # the VAD's cut: 0.12 s + hangover
    whisper_heard_nothing = Decoded(None, "")
    rule = second_opinion_rule(voice)
    assert rule(click, whisper_heard_nothing).phrase is None
    assert rule(read_wav(stops[3]), whisper_heard_nothing).phrase == BY_TEXT["stop"]


def test_fusion_never_drops_or_changes_stop_and_leaves_words_not_enrolled_alone():
    no = Match(BY_TEXT["no"], "no", 0.1, 0.1)
    stop = Decoded(BY_TEXT["stop"], "stop")
    assert fuse(stop, no, ("stop", "no")) == stop
    quit_ = Decoded(BY_TEXT["quit"], "quit")
    assert fuse(quit_, no, ("stop", "no")) == quit_
    nothing = Decoded(None, "")
    assert fuse(nothing, no, ("stop", "no")).phrase == BY_TEXT["no"]
    far = Match(None, "no", 9.0, 3.0)
    assert fuse(nothing, far, ("stop", "no")).phrase is None


# --- the command line ----------------------------------------------------------------


def test_forget_removes_the_recorded_words(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(tmp_path))
    first, _ = run([], words=("stop",))
    store(tmp_path / "voice", first)
    result = runner.invoke(app, ["enrol", "--forget"])
    assert result.exit_code == 0 and "deleted" in result.output
    assert not (tmp_path / "voice").exists()
    result = runner.invoke(app, ["enrol", "--forget"])
    assert result.exit_code == 0 and "No recorded words" in result.output


def test_a_word_that_cannot_be_enrolled_is_a_one_line_error():
    result = runner.invoke(app, ["enrol", "--word", "banana"])
    assert result.exit_code == 2
    assert "cannot enrol 'banana'" in result.output
    assert "Traceback" not in result.output


# --- doctor ----------------------------------------------------------------------------


def test_doctor_says_when_no_voice_is_enrolled(tmp_path):
    from voicecoach.commands.doctor import check_enrolled_voice

    result = check_enrolled_voice(tmp_path / "voice")
    assert result.ok and "none" in result.line() and "voicecoach enrol" in result.line()


@needs_espeak
@needs_matcher
def test_doctor_reports_the_takes_per_word_the_matcher_and_how_well_they_are_told_apart(
    tmp_path, monkeypatch
):
    from voicecoach.commands.doctor import default_checks, run_doctor
    from voicecoach.listening.enrolled import save_takes

    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(tmp_path))
    takes = espeak_takes("en-gb", (130, 160, 190))
    save_takes(tmp_path / "voice", {"stop": takes["stop"], "yes": takes["yes"][:2]})
    printed: list[str] = []
    enrolled = [c for c in default_checks() if c.__name__ == "check_enrolled_voice"]
    run_doctor(enrolled, echo=printed.append)
    line = printed[0]
    assert line.startswith("ok       enrolled voice: takes stop 3, yes 2; matcher ready;"), line
    assert "5 of 5 told apart" in line
    # two words said alike: told apart badly, and doctor says which to record again
    save_takes(tmp_path / "voice", {"stop": takes["stop"], "yes": takes["stop"]})
    printed.clear()
    run_doctor(enrolled, echo=printed.append)
    assert printed[0].startswith("PROBLEM  enrolled voice:"), printed[0]
    assert "voicecoach enrol --word" in printed[0]
