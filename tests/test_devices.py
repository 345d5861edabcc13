"""Device listing on a fake PyAudio: inputs and outputs apart, defaults marked."""

from __future__ import annotations

from tests.fake_pyaudio import FakePyAudio
from voicecoach.audio.devices import list_devices


def test_inputs_and_outputs_are_listed_apart_with_their_defaults() -> None:
    found = list_devices(FakePyAudio())
    assert [(d.index, d.name, d.channels) for d in found.inputs] == [
        (0, "Built-in Microphone", 2),
        (1, "USB Headset", 1),
    ]
    assert [(d.index, d.name, d.channels) for d in found.outputs] == [
        (1, "USB Headset", 2),
        (2, "Speakers", 2),
    ]
    assert [d.is_default for d in found.inputs] == [True, False]
    assert [d.is_default for d in found.outputs] == [False, True]
    assert found.inputs[0].default_rate == 44100.0


def test_a_machine_without_defaults_still_lists_its_devices() -> None:
    found = list_devices(FakePyAudio(default_input=None, default_output=None))
    assert len(found.inputs) == 2 and not any(d.is_default for d in found.inputs + found.outputs)
