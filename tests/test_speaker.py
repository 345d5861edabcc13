"""AudioSpeaker on a fake PyAudio: cues, what-is-playing reports, and the cue files."""

from __future__ import annotations

import array
import threading
import time
from pathlib import Path

import pytest

from scripts import make_cues
from tests.fake_pyaudio import FakePyAudio
from voicecoach.audio.audio_system import AudioUnavailable
from voicecoach.audio.playback import Player
from voicecoach.audio.speaker import AudioSpeaker, load_cue
from voicecoach.audio.tts import Rendered, Renderer, VoiceSettings

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def speaker():
    # Cues need no speech engine; the renderer is never asked for anything here.
    speaker = AudioSpeaker(renderer=Renderer.__new__(Renderer), player=Player(pa=FakePyAudio()))
    yield speaker
    speaker.close()


@pytest.mark.parametrize("name", ["hold_start", "hold_end", "tick"])
def test_every_cue_ships_as_a_short_audible_sound(name: str) -> None:
    cue = load_cue(name)
    samples = array.array("h", cue.pcm)
    assert 0.03 < cue.seconds < 1.0
    assert max(abs(v) for v in samples) > 5000, "audible"
    assert max(abs(v) for v in samples) < 16000, "soft, not full scale"
    assert abs(samples[0]) < 500 and abs(samples[-1]) < 500, "fades in and out, no click"


def test_an_unknown_cue_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="no cue sound named 'gong'.*hold_end, hold_start, tick"):
        load_cue("gong")


def test_cue_reports_what_is_playing_and_what_played(speaker: AudioSpeaker) -> None:
    assert speaker.now_playing() is None and speaker.last_played() is None
    seen = []
    sampler = threading.Timer(0.2, lambda: seen.append(speaker.now_playing()))
    sampler.start()
    before = time.monotonic()
    assert speaker.cue("hold_end") is True
    sampler.join(timeout=5)
    assert seen[0] is not None and seen[0][0] == "cue:hold_end" and seen[0][1] >= before
    assert speaker.now_playing() is None
    last = speaker.last_played()
    assert last is not None and last[0] == "cue:hold_end"
    assert last[2] - last[1] == pytest.approx(0.62, abs=0.15)


def test_a_silenced_cue_reports_when_it_was_cut(speaker: AudioSpeaker) -> None:
    threading.Timer(0.1, speaker.silence).start()
    assert speaker.cue("hold_end") is False
    last = speaker.last_played()
    assert last is not None and last[2] - last[1] < 0.4


def test_empty_text_is_said_at_once_and_takes_no_time(speaker: AudioSpeaker) -> None:
    assert speaker.say("   ") is True
    assert speaker.duration("") == 0.0


def test_the_committed_cues_are_what_the_generator_makes(tmp_path: Path) -> None:
    make_cues.main(tmp_path)
    for name in ("hold_start", "hold_end", "tick"):
        generated = (tmp_path / f"{name}.wav").read_bytes()
        assert generated == (REPO / "voicecoach" / "audio" / "cues" / f"{name}.wav").read_bytes(), (
            name
        )


@pytest.mark.audio
def test_prerendering_in_the_background_fills_the_cache() -> None:
    try:
        renderer = Renderer()
    except AudioUnavailable as error:
        pytest.skip(f"no speech engine: {error}")
    speaker = AudioSpeaker(renderer=renderer, player=Player(pa=FakePyAudio()))
    try:
        thread = speaker.prerender_in_background(["7", "8", "release"])
        thread.join(timeout=20)
        assert not thread.is_alive()
        assert all(renderer.is_cached(t) for t in ["7", "8", "release"])
    finally:
        speaker.close()


class BrokenRenderer(Renderer):
    """A speech engine that has stopped working (e.g. espeak-ng removed mid-session)."""

    def __init__(self) -> None:
        self.settings = VoiceSettings(rate=120)

    def render(self, text: str) -> Rendered:
        raise AudioUnavailable("speech rendering did not finish within 10 s")


def test_a_failing_speech_engine_is_reported_and_the_session_goes_on() -> None:
    lost: list[str] = []
    speaker = AudioSpeaker(BrokenRenderer(), Player(pa=FakePyAudio()), on_lost=lost.append)
    try:
        assert speaker.say("Breathe in.") is False
        assert lost == ["speech rendering did not finish within 10 s"]
        assert speaker.duration("one two three four") == pytest.approx(2.0)
    finally:
        speaker.close()
