"""Microphone reader logic on a fake PyAudio: frame shape, timing, device loss, choice."""

from __future__ import annotations

import threading

import pytest

from tests.fake_pyaudio import FakePyAudio
from voicecoach.audio.audio_system import AudioUnavailable
from voicecoach.audio.microphone import Microphone, MicSettings, SampleClock
from voicecoach.listening.frames import Frame


def test_frames_are_30ms_of_16khz_mono_with_rising_capture_times() -> None:
    with Microphone(pa=FakePyAudio()) as mic:
        frames = [mic.frames.get(timeout=2.0) for _ in range(5)]
    assert all(len(f.pcm) == 480 * 2 for f in frames)
    assert frames[0].seconds == pytest.approx(0.03)
    times = [f.end for f in frames]
    assert times == sorted(times) and len(set(times)) == 5


def test_frames_go_to_the_callback_when_one_is_given() -> None:
    got: list[Frame] = []
    enough = threading.Event()

    def on_frame(frame: Frame) -> None:
        got.append(frame)
        if len(got) >= 3:
            enough.set()

    with Microphone(pa=FakePyAudio(), on_frame=on_frame) as mic:
        assert enough.wait(timeout=2.0)
        assert mic.frames.empty()


def test_an_unplugged_microphone_ends_the_reader_and_says_why() -> None:
    pa = FakePyAudio()
    pa.input_fail_after = 4
    lost: list[str] = []
    reported = threading.Event()

    def on_lost(reason: str) -> None:
        lost.append(reason)
        reported.set()

    mic = Microphone(pa=pa, on_lost=on_lost).start()
    assert reported.wait(timeout=2.0)
    mic.stop()
    assert not mic.running
    assert lost == [mic.lost_reason]
    assert "Built-in Microphone" in lost[0] and "stopped" in lost[0]
    assert "\n" not in lost[0]
    assert "Errno" not in lost[0] and "sound system stopped answering" in lost[0]
    assert pa.inputs[0].closed


def test_a_failing_frame_handler_is_reported_too() -> None:
    lost: list[str] = []
    reported = threading.Event()

    def broken(frame: Frame) -> None:
        raise ValueError("boom")

    def on_lost(reason: str) -> None:
        lost.append(reason)
        reported.set()

    mic = Microphone(pa=FakePyAudio(), on_frame=broken, on_lost=on_lost).start()
    assert reported.wait(timeout=2.0)
    mic.stop()
    assert "boom" in lost[0]


def test_stop_ends_the_reader_quickly_and_closes_the_device() -> None:
    pa = FakePyAudio()
    mic = Microphone(pa=pa).start()
    mic.stop(timeout=1.0)
    assert not mic.running and pa.inputs[0].closed and mic.lost_reason is None


@pytest.mark.parametrize(
    ("wanted", "name"),
    [
        (None, "Built-in Microphone"),
        (1, "USB Headset"),
        ("1", "USB Headset"),
        ("usb", "USB Headset"),
    ],
)
def test_choosing_the_microphone_by_index_or_name(wanted: object, name: str) -> None:
    mic = Microphone(MicSettings(device=wanted), pa=FakePyAudio())  # type: ignore[arg-type]
    assert mic.device.name == name


def test_a_speaker_only_device_is_not_a_microphone() -> None:
    with pytest.raises(AudioUnavailable, match="no microphone matches 'speakers'"):
        Microphone(MicSettings(device="speakers"), pa=FakePyAudio())


def test_no_microphone_at_all_is_a_plain_error() -> None:
    pa = FakePyAudio(
        devices=[{"name": "Speakers", "maxInputChannels": 0, "maxOutputChannels": 2}],
        default_input=None,
        default_output=0,
    )
    with pytest.raises(AudioUnavailable, match="no microphone found"):
        Microphone(pa=pa)


def test_a_microphone_that_falls_quiet_is_reported_after_the_stall_timeout() -> None:
    pa = FakePyAudio()
    pa.input_silent_after = 3
    lost: list[str] = []
    reported = threading.Event()

    def on_lost(reason: str) -> None:
        lost.append(reason)
        reported.set()

    mic = Microphone(MicSettings(stall_timeout=0.2), pa=pa, on_lost=on_lost).start()
    assert reported.wait(timeout=2.0)
    mic.stop()
    assert lost == ["microphone 'Built-in Microphone' delivered no audio for 0.2 s"]
    assert mic.frames.qsize() == 3


def test_without_a_stall_timeout_a_quiet_microphone_keeps_waiting_and_stops_on_request() -> None:
    pa = FakePyAudio()
    pa.input_silent_after = 0
    mic = Microphone(pa=pa).start()
    assert mic.running
    mic.stop(timeout=1.0)
    assert not mic.running and mic.lost_reason is None


def test_frames_read_late_and_bunched_keep_their_real_spacing() -> None:
    """Reads that return late in a bunch (a busy processor) must not make a word seem to
    start late: frames are stamped 30 ms apart, never later than they arrived."""
    clock = SampleClock(0.03)
    arrivals = [1.03, 1.06, 1.09, 1.30, 1.30, 1.30, 1.30, 1.31, 1.33, 1.36]
    stamps = [clock.stamp(t) for t in arrivals]
    assert stamps == pytest.approx([1.03 + 0.03 * i for i in range(10)])
    assert all(s <= t + 1e-9 for s, t in zip(stamps, arrivals, strict=True))


def test_after_audio_was_lost_the_clock_catches_up_within_its_window() -> None:
    clock = SampleClock(0.03, window_frames=5)
    stamps = [clock.stamp(1.0 + 0.03 * i) for i in range(5)]
    later = [clock.stamp(3.0 + 0.03 * i) for i in range(10)]  # 2 s of audio never came
    assert stamps[-1] == pytest.approx(1.12)
    assert later[-1] == pytest.approx(3.27)
