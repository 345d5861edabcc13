"""Frames, VAD, the live listener feeding an Inbox, and the `hear` command."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.listening_support import needs_espeak, write_wav
from tests.support import espeak
from voicecoach.commands.cli import app
from voicecoach.core.inbox import Inbox
from voicecoach.core.ports import Command
from voicecoach.listening.engine import Decoded
from voicecoach.listening.frames import (
    FRAME_BYTES,
    AudioFileError,
    file_frames,
    noise,
    read_wav,
    split_frames,
)
from voicecoach.listening.listener import VoiceListener
from voicecoach.listening.recogniser import Recogniser, SelfHearingGate
from voicecoach.listening.vad import UtteranceDetector, VadSettings
from voicecoach.listening.vocabulary import BY_TEXT


def test_file_frames_have_microphone_shape_and_no_digital_silence(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "zeros.wav", b"\x00\x00" * 22050, rate=22050)
    frames = list(file_frames(wav))
    assert all(len(f.pcm) == FRAME_BYTES for f in frames)
    assert all(f.pcm != bytes(FRAME_BYTES) for f in frames)
    assert frames[0].time < 0 < frames[-1].time
    assert abs(len(read_wav(wav)) / 2 - 16000) <= 1  # resampled to 16 kHz


def test_unreadable_files_give_one_line_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    for path in (bad, tmp_path / "missing.wav"):
        with pytest.raises(AudioFileError) as error:
            read_wav(path)
        assert "\n" not in str(error.value)


@needs_espeak
def test_vad_finds_a_word_and_drops_a_long_sentence() -> None:
    word = noise(0.5) + espeak.render("stop") + noise(0.5)
    sentence = (
        noise(0.5) + espeak.render("lie on your back and slowly bring your knees up") + noise(0.5)
    )
    found = list(UtteranceDetector().utterances(split_frames(word)))
    assert len(found) == 1 and 0.1 < found[0].speech_seconds < 0.9
    assert list(UtteranceDetector(VadSettings()).utterances(split_frames(sentence))) == []


@needs_espeak
def test_a_word_in_steady_low_noise_is_found_and_ends_soon_after_the_word() -> None:
    """A fan or traffic hum 10 dB under the voice: the WebRTC detector alone calls the hum
    speech too, so the word never ended (and was dropped as a sentence)."""
    word = espeak.render("stop")
    stream = espeak.add_noise(noise(1.0) + word + noise(2.0), 10.0, "low", seed=5)
    word_end = 1.0 + espeak.speech_end(word)
    found = [
        u
        for u in UtteranceDetector().utterances(split_frames(stream))
        if u.speech_start > 0.5  # the first 0.3 s, before the background is known
    ]
    assert len(found) == 1
    assert found[0].speech_start < word_end < found[0].speech_end + 0.3
    assert found[0].detected_at - word_end < 0.35


@needs_espeak
def test_a_click_just_before_a_word_does_not_make_it_part_of_a_sentence() -> None:
    """A knock (or the start of a noisy recording) 0.3 s before "stop" must not hide it."""
    vowel = espeak.render("ah")
    knock = vowel[3200:5120]  # 60 ms of it: shorter than any word
    word = noise(0.5) + knock + noise(0.3) + espeak.render("stop") + noise(0.5)
    found = list(UtteranceDetector().utterances(split_frames(word)))
    assert len(found) == 1 and 0.1 < found[0].speech_seconds < 0.9


class EveryLoudFrameIsSpeech:
    """WebRTC's detector as it judged a room's noise in a recording: speech throughout."""

    frame_bytes = FRAME_BYTES

    def is_speech(self, pcm: bytes) -> bool:
        return True


def sound(levels_db: list[tuple[float, float]]) -> bytes:
    """Quiet, then stretches of noise at (seconds, dBFS), then quiet."""
    rng = np.random.default_rng(7)
    parts = [rng.normal(0, 32768 * 10 ** (-70 / 20), 16000)]
    for seconds, db in levels_db:
        parts.append(rng.normal(0, 32768 * 10 ** (db / 20), int(seconds * 16000)))
    parts.append(rng.normal(0, 32768 * 10 ** (-70 / 20), 16000))
    return np.clip(np.concatenate(parts), -32768, 32767).astype(np.int16).tobytes()


def cut(pcm: bytes) -> tuple[list[tuple[float, float]], list[str]]:
    """The utterances (speech start, end) and the reasons sounds were dropped."""
    detector = UtteranceDetector()
    detector._vad = EveryLoudFrameIsSpeech()  # type: ignore[assignment]
    dropped: list[str] = []
    detector.on_dropped = lambda _start, _end, why: dropped.append(why)
    found = detector.utterances(split_frames(pcm, start=-1.0))
    return [(round(u.speech_start, 2), round(u.speech_end, 2)) for u in found], dropped


def test_a_word_after_a_noisy_moment_and_with_its_echo_is_cut_to_its_loud_core() -> None:
    """0.7 s of noise 25 dB under the word, the word (0.4 s), its echo dying away: one
    1.4 s sound, which was dropped whole as a sentence; the word in it is passed on."""
    echo = [(0.05, -20.0 - 2 * step) for step in range(6)]
    found, dropped = cut(sound([(0.7, -45.0), (0.4, -20.0), *echo]))
    assert dropped == []
    ((start, end),) = found
    assert 0.65 <= start <= 0.75 and 1.05 <= end <= 1.45  # the word and its loud echo


def test_a_sentence_of_words_about_as_loud_is_still_dropped_whole() -> None:
    words = [(0.3, -20.0), (0.1, -32.0)] * 4 + [(0.3, -24.0)]
    found, dropped = cut(sound(words))
    assert found == [] and dropped == ["longer than any command"]
    phrase = [(0.5, -45.0), (0.3, -20.0), (0.3, -45.0), (0.3, -22.0)]  # two words, a pause
    found, dropped = cut(sound(phrase))
    assert found == [] and dropped == ["longer than any command"]
    found, dropped = cut(sound([(3.0, -20.0)]))  # longer than any sound looked into
    assert found == [] and dropped == ["longer than any command"]


class HearsStop:
    name = "hears stop"

    def decode(self, pcm: bytes) -> Decoded:
        return Decoded(BY_TEXT["stop"], "stop")


def test_a_word_cut_from_a_longer_sound_is_not_taken_while_the_coach_speaks() -> None:
    """The coach's own phrases have word-sized loud cores: cut so while it talks, the
    sound is dropped as before (its "stop" is left to the ways of hearing over the coach)."""
    echo = [(0.05, -20.0 - 2 * step) for step in range(6)]
    pcm = sound([(0.7, -45.0), (0.4, -20.0), *echo])
    quiet = SelfHearingGate(lambda: None)
    talking = SelfHearingGate(lambda: ("Now the pelvic tilt.", -1.0))
    heard = {}
    for name, gate in (("quiet", quiet), ("talking", talking)):
        recogniser = Recogniser(HearsStop(), gate=gate)
        recogniser.detector._vad = EveryLoudFrameIsSpeech()  # type: ignore[assignment]
        found = recogniser.run(split_frames(pcm, start=-1.0))
        heard[name] = [d.heard.text for d in found]
        heard[name + " why"] = [r.outcome for r in recogniser.recent]
    assert heard["quiet"] == ["stop"]
    assert heard["talking"] == [] and heard["talking why"] == ["longer than any command"]


@needs_espeak
def test_stop_while_the_coach_speaks_reaches_the_inbox_and_silences_it() -> None:
    silenced = threading.Event()
    inbox = Inbox(on_urgent=silenced.set)
    listener = VoiceListener(inbox, now_playing=lambda: ("Slowly bring one knee up.", 0.0)).start()
    try:
        for frame in split_frames(noise(0.5) + espeak.render("stop") + noise(1.0)):
            listener.on_frame(frame)
        heard = inbox.next_command(timeout=10.0)
    finally:
        listener.stop(timeout=5.0)
    assert heard is not None and heard.command is Command.STOP and heard.source == "voice"
    assert silenced.is_set()


@needs_espeak
def test_hear_json_reports_each_file(tmp_path: Path) -> None:
    stop = write_wav(tmp_path / "stop.wav", espeak.render("stop"))
    chatter = write_wav(
        tmp_path / "chatter.wav", espeak.render("that was a lovely walk in the park")
    )
    five = write_wav(tmp_path / "five.wav", espeak.render("five"))
    missing = tmp_path / "missing.wav"
    result = CliRunner().invoke(
        app, ["hear", str(stop), str(missing), str(chatter), str(five), "--json"]
    )
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert result.exit_code == 1
    assert "missing.wav: no such file" in result.output
    by_file = {Path(line["file"]).name: line for line in lines}
    assert by_file["stop.wav"]["command"] == "stop"
    assert 0.2 < by_file["stop.wav"]["at"] < 1.5
    assert by_file["chatter.wav"]["command"] is None
    assert by_file["five.wav"]["command"] == "score" and by_file["five.wav"]["score"] == 5
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--engine", "vosk"], "needs --model PATH"),
        (["--engine", "whisper", "--model", "/nonexistent/model"], "model not found"),
        (["--engine", "google"], "pass --online"),
        (["--engine", "parrot"], "unknown engine"),
    ],
)
def test_hear_with_an_unusable_engine_says_why_in_one_line(
    tmp_path: Path, options: list[str], message: str
) -> None:
    wav = write_wav(tmp_path / "quiet.wav", noise(0.5))
    result = CliRunner().invoke(app, ["hear", str(wav), *options])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
