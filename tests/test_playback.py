"""Player logic on a fake, sound-card-paced PyAudio: completion, fast cut-off, recovery."""

from __future__ import annotations

import threading
import time

import pytest

from tests.fake_pyaudio import FakePyAudio
from voicecoach.audio.audio_system import AudioUnavailable
from voicecoach.audio.playback import PlaybackSettings, Player

RATE = 22050


def tone(seconds: float) -> bytes:
    return (1000).to_bytes(2, "little", signed=True) * int(RATE * seconds)


@pytest.fixture
def pa() -> FakePyAudio:
    return FakePyAudio()


@pytest.fixture
def player(pa: FakePyAudio):
    player = Player(PlaybackSettings(block_frames=512), pa=pa)
    yield player
    player.close()


def test_a_phrase_plays_in_full_and_reports_it(player: Player, pa: FakePyAudio) -> None:
    sound = tone(0.3)
    started: list[float] = []
    assert player.play(sound, RATE, on_start=started.append) is True
    assert pa.outputs[0].speech_bytes() == len(sound)
    assert len(started) == 1
    assert all(len(block) <= 1024 for block in pa.outputs[0].written)


def test_silence_cuts_off_within_one_block_and_closes_the_stream(
    player: Player, pa: FakePyAudio
) -> None:
    sound = tone(3.0)
    threading.Timer(0.3, player.silence).start()
    begun = time.monotonic()
    assert player.play(sound, RATE) is False
    assert time.monotonic() - begun < 1.0
    first = pa.outputs[0]
    assert first.closed, "a silenced stream is closed, dropping what was queued"
    assert first.stop_stream_calls == 0, "stop_stream() would play the queue out"
    assert first.speech_bytes() < len(sound) / 3
    assert player.stopped_at is not None and player.silenced_at is not None
    assert player.stopped_at - player.silenced_at < 512 / RATE + 0.05


def test_after_a_silence_the_next_phrase_plays(player: Player, pa: FakePyAudio) -> None:
    threading.Timer(0.1, player.silence).start()
    assert player.play(tone(2.0), RATE) is False
    assert player.play(tone(0.2), RATE) is True
    assert pa.outputs[-1].speech_bytes() == len(tone(0.2))


def test_a_silence_with_nothing_playing_does_not_swallow_the_next_phrase(
    player: Player,
) -> None:
    player.silence()
    assert player.play(tone(0.1), RATE) is True


def test_between_phrases_the_stream_is_fed_silence_not_left_to_run_dry(
    player: Player, pa: FakePyAudio
) -> None:
    assert player.play(tone(0.1), RATE) is True
    count = len(pa.outputs[0].written)
    time.sleep(0.2)
    after = pa.outputs[0].written[count:]
    assert len(after) >= 3 and not any(any(block) for block in after)


def test_an_output_failing_mid_phrase_is_reported_not_raised(pa: FakePyAudio) -> None:
    lost: list[str] = []
    pa.output_fail_after = 5
    player = Player(pa=pa, on_lost=lost.append)
    try:
        assert player.play(tone(1.0), RATE) is False
    finally:
        player.close()
    assert lost and "the speaker stopped: the sound system stopped answering" in lost[0]
    assert "Errno" not in lost[0]


def test_an_unplugged_output_is_reported_once_and_later_phrases_return_at_once(
    pa: FakePyAudio,
) -> None:
    lost: list[str] = []
    pa.output_fail_after = 5
    player = Player(pa=pa, on_lost=lost.append)
    try:
        assert player.play(tone(1.0), RATE) is False
        pa.refuse_to_open = True
        begun = time.monotonic()
        assert player.play(tone(1.0), RATE) is False
        assert player.play(tone(1.0), RATE) is False
        assert time.monotonic() - begun < 0.5
    finally:
        player.close()
    assert len(lost) == 1
    assert player.lost_reason is not None and "cannot open audio output" in player.lost_reason


def test_no_output_device_is_a_plain_error() -> None:
    only_a_mic = [{"name": "Mic", "maxInputChannels": 1, "maxOutputChannels": 0}]
    pa = FakePyAudio(devices=only_a_mic, default_output=None)
    with pytest.raises(AudioUnavailable, match="no audio output found"):
        Player(pa=pa)


def test_an_unknown_output_name_lists_the_choices() -> None:
    with pytest.raises(AudioUnavailable, match="no audio output matches 'hdmi'.*Speakers"):
        Player(PlaybackSettings(device="hdmi"), pa=FakePyAudio())


def test_every_block_written_is_handed_to_the_echo_canceller(
    player: Player, pa: FakePyAudio
) -> None:
    """What the coach plays, silence between phrases included, is what the canceller
    must take back out of the microphone."""
    played: list[tuple[bytes, int]] = []
    player.on_played = lambda block, rate: played.append((block, rate))
    sound = tone(0.3)
    assert player.play(sound, RATE) is True
    speech = b"".join(block for block, _ in played if any(block))
    assert speech == sound
    assert {rate for _, rate in played} == {RATE}
    assert (
        b"".join(block for block, _ in played)
        == b"".join(pa.outputs[0].written)[: sum(len(block) for block, _ in played)]
    )
