"""Real audio end to end: pyttsx3 + espeak-ng rendering, PyAudio through PulseAudio null
sinks, recordings of their monitors. Skipped with a reason when PulseAudio is absent."""

from __future__ import annotations

import array
import subprocess
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import pulse
from voicecoach.audio.audio_system import AudioUnavailable
from voicecoach.audio.microphone import Microphone, MicSettings
from voicecoach.audio.playback import PlaybackSettings
from voicecoach.audio.speaker import AudioSpeaker, SpeakerSettings, open_speaker
from voicecoach.listening.frames import Frame

pytestmark = pytest.mark.audio

LONG_PHRASE = (
    "Lie on your back on a firm surface, with your knees bent, a pillow under your head "
    "and pillows under your knees, and let your breathing slow down."
)
LOUD = 500  # peak level that is clearly sound; a null sink's monitor is exact zeros
WINDOW = 0.01


def peak(pcm: bytes) -> int:
    return max((abs(v) for v in array.array("h", pcm)), default=0)


@pytest.fixture(scope="module", autouse=True)
def pulseaudio() -> None:
    pulse.require()


@pytest.fixture(scope="module")
def speaker_sink() -> Iterator[pulse.NullSink]:
    with pulse.null_sink("speaker") as sink:
        yield sink


@pytest.fixture(scope="module")
def speaker(speaker_sink: pulse.NullSink) -> Iterator[AudioSpeaker]:
    with pulse.routed_to(sink=speaker_sink.name, source=speaker_sink.monitor):
        try:
            speaker = open_speaker()
        except AudioUnavailable as error:
            pytest.skip(f"no speech output: {error}")
        # Sound first written into a fresh null sink comes out up to ~2 s late; let the
        # warm-up tick drain before any test records.
        speaker.cue("tick")
        time.sleep(2.5)
        yield speaker
        speaker.close()


def skip_if_others_played_into(sink: pulse.NullSink) -> None:
    """On a shared machine another program's stream can land in our sink; say so.

    (PulseAudio sends streams that name no device to the default sink, and when the
    configured default is gone it may pick one of ours.)
    """
    others = pulse.foreign_streams(sink.name)
    if others:
        pytest.skip(f"another program played into the test sink: {', '.join(others)}")


def test_spoken_phrase_reaches_the_sink_as_speech_of_the_right_length(
    speaker: AudioSpeaker, speaker_sink: pulse.NullSink
) -> None:
    phrase = "Slowly bring one knee towards your chest."
    seconds = speaker.duration(phrase)
    with pulse.Recording(speaker_sink.monitor) as recording:
        assert speaker.say(phrase) is True
        skip_if_others_played_into(speaker_sink)
    samples, rate = recording.samples()
    levels = pulse.window_rms(samples, rate, WINDOW)
    span = pulse.loud_span(levels, WINDOW, threshold=200)
    assert span is not None, "nothing audible was recorded"
    first, last = span
    assert last - first == pytest.approx(seconds, abs=0.4), "all of it, once, on time"
    during = levels[int(first / WINDOW) : int(last / WINDOW)]
    assert sum(during) / len(during) > 1000, "speech-level energy through the phrase"


def test_a_cue_is_heard(speaker: AudioSpeaker, speaker_sink: pulse.NullSink) -> None:
    with pulse.Recording(speaker_sink.monitor) as recording:
        assert speaker.cue("hold_end") is True
        skip_if_others_played_into(speaker_sink)
    samples, rate = recording.samples()
    span = pulse.loud_span(pulse.window_rms(samples, rate, WINDOW), WINDOW, threshold=200)
    assert span is not None and span[1] - span[0] == pytest.approx(0.62, abs=0.15)


def test_silence_mid_phrase_leaves_silence_within_100_ms(
    speaker: AudioSpeaker, speaker_sink: pulse.NullSink
) -> None:
    # The microphone listens to the sink's monitor, stamping each frame with the
    # monotonic time it arrived: the same clock silence() is called on.
    frames: list[Frame] = []
    with Microphone(on_frame=frames.append):
        cut_at: list[float] = []

        def cut() -> None:
            cut_at.append(time.monotonic())
            speaker.silence()

        timer = threading.Timer(1.5, cut)
        timer.start()
        assert speaker.say(LONG_PHRASE) is False, "the phrase was cut off"
        timer.join(timeout=5)
        time.sleep(0.6)  # keep listening: the coach should stay quiet
        skip_if_others_played_into(speaker_sink)
    assert speaker.duration(LONG_PHRASE) > 4.0, "the cut landed mid-phrase"
    heard = [f for f in frames if peak(f.pcm) > LOUD]
    assert any(f.end < cut_at[0] for f in heard), "speech was playing before the cut"
    after = [f for f in frames if f.time > cut_at[0] + 0.1]
    assert len(after) >= 10, "the monitor kept delivering (silent) audio after the cut"
    loud_after = [round(f.end - cut_at[0], 3) for f in after if peak(f.pcm) > LOUD]
    assert loud_after == [], f"sound more than 100 ms after silence(): {loud_after}"


def test_now_playing_and_last_played_follow_the_speech(speaker: AudioSpeaker) -> None:
    seen: list[tuple[str, float] | None] = []
    sampler = threading.Timer(0.4, lambda: seen.append(speaker.now_playing()))
    sampler.start()
    before = time.monotonic()
    speaker.say("Breathe in slowly, and breathe out.")
    sampler.join(timeout=5)
    assert seen and seen[0] is not None and seen[0][0] == "Breathe in slowly, and breathe out."
    assert speaker.now_playing() is None
    last = speaker.last_played()
    assert last is not None and last[0] == "Breathe in slowly, and breathe out."
    assert before <= last[1] < last[2] <= time.monotonic()


def test_the_microphone_hears_a_wav_played_into_the_virtual_microphone(
    tmp_path: Path,
) -> None:
    from voicecoach.audio.tts import Renderer

    try:
        phrase = Renderer().render("stop")
    except AudioUnavailable as error:
        pytest.skip(f"no speech engine: {error}")
    wav_path = tmp_path / "stop.wav"
    padding = bytes(phrase.rate // 5)
    write_wav(wav_path, padding + phrase.pcm + padding, phrase.rate)
    frames: list[Frame] = []
    with pulse.null_sink("mic") as mic_sink, pulse.routed_to(source=mic_sink.monitor):
        with Microphone(on_frame=frames.append) as mic:
            pulse.play_into(mic_sink.name, str(wav_path))
            time.sleep(0.3)
            skip_if_others_played_into(mic_sink)
        assert mic.lost_reason is None
    assert frames and all(len(f.pcm) == 960 for f in frames)
    loud = [f for f in frames if peak(f.pcm) > LOUD]
    assert len(loud) * 0.03 == pytest.approx(phrase.seconds, abs=0.3)


def write_wav(path: Path, pcm: bytes, rate: int) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)


def test_a_microphone_that_vanishes_is_reported_not_crashed(tmp_path: Path) -> None:
    noise = array.array("h", [(i * 7919) % 4001 - 2000 for i in range(16000 * 20)])
    write_wav(tmp_path / "noise.wav", noise.tobytes(), 16000)
    lost: list[str] = []
    reported = threading.Event()

    def on_lost(reason: str) -> None:
        lost.append(reason)
        reported.set()

    frames: list[Frame] = []
    with pulse.null_sink("mic") as mic_sink:
        feeder = subprocess.Popen(
            ["paplay", f"--device={mic_sink.name}", str(tmp_path / "noise.wav")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with pulse.routed_to(source=mic_sink.monitor):
                mic = Microphone(MicSettings(stall_timeout=1.0), frames.append, on_lost)
                mic.start()
            deadline = time.monotonic() + 8
            while len(frames) < 20 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(frames) >= 20, "the virtual microphone was heard before it vanished"
            mic_sink.unload()  # unplugged
            count = len(frames)
            # PulseAudio moves a stream whose source vanished to the fallback source: if
            # that one is live, frames go on coming (fine); if it is idle, the stall is
            # reported. What must never happen is a reader that dies or hangs unnoticed.
            reported.wait(timeout=3)
            moved_on = len(frames) > count + 10
            assert lost or moved_on, "the microphone went quiet and nobody was told"
        finally:
            feeder.kill()
            feeder.wait(timeout=5)
            mic.stop()
    assert not mic.running
    if lost:
        assert len(lost) == 1 and "delivered no audio" in lost[0] and "\n" not in lost[0]


def test_a_missing_output_device_is_a_one_line_error_with_a_fix() -> None:
    with pytest.raises(AudioUnavailable) as caught:
        open_speaker(SpeakerSettings(output=PlaybackSettings(device="no-such-card")))
    message = str(caught.value)
    assert "no audio output matches 'no-such-card'" in message
    assert "\n" not in message
