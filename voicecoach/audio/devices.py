"""The audio devices PortAudio can see, and picking one by index or by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from voicecoach.audio.audio_system import AudioUnavailable, open_pyaudio

Kind = Literal["input", "output"]


@dataclass(frozen=True)
class AudioDevice:
    """One microphone or one output, as PortAudio numbers it."""

    index: int
    """PortAudio's device index (what --mic 3 means)."""
    name: str
    channels: int
    """Most channels this device offers in this direction."""
    default_rate: float
    """The sample rate the device prefers."""
    is_default: bool
    """Whether the system uses this device when none is chosen."""


@dataclass(frozen=True)
class DeviceList:
    inputs: list[AudioDevice]
    outputs: list[AudioDevice]


def _default_index(pa: Any, kind: Kind) -> int | None:
    try:
        info = (
            pa.get_default_input_device_info()
            if kind == "input"
            else pa.get_default_output_device_info()
        )
    except OSError:  # PortAudio raises IOError when there is no default device
        return None
    return int(info["index"])


def _devices_of_kind(pa: Any, kind: Kind) -> list[AudioDevice]:
    key = "maxInputChannels" if kind == "input" else "maxOutputChannels"
    default = _default_index(pa, kind)
    found = []
    for index in range(pa.get_device_count()):
        info = pa.get_device_info_by_index(index)
        channels = int(info[key])
        if channels > 0:
            found.append(
                AudioDevice(
                    index=index,
                    name=str(info["name"]),
                    channels=channels,
                    default_rate=float(info["defaultSampleRate"]),
                    is_default=index == default,
                )
            )
    return found


def list_devices(pa: Any = None) -> DeviceList:
    """Every microphone and every output PortAudio can open."""
    pa = pa if pa is not None else open_pyaudio()
    return DeviceList(_devices_of_kind(pa, "input"), _devices_of_kind(pa, "output"))


def find_device(pa: Any, wanted: int | str | None, kind: Kind) -> AudioDevice:
    """The device `wanted` names: an index, part of a name, or None for the default.

    Raises AudioUnavailable with a one-line reason and a hint when nothing fits.
    """
    devices = _devices_of_kind(pa, kind)
    noun = "microphone" if kind == "input" else "audio output"
    if not devices:
        raise AudioUnavailable(
            f"no {noun} found; check that one is plugged in "
            "(on Linux: is PulseAudio/PipeWire running? try 'pactl info')"
        )
    if wanted is None or wanted == "":
        for device in devices:
            if device.is_default:
                return device
        return devices[0]
    if isinstance(wanted, int) or str(wanted).isdigit():
        for device in devices:
            if device.index == int(wanted):
                return device
    else:
        needle = str(wanted).lower()
        for device in devices:
            if needle in device.name.lower():
                return device
    names = ", ".join(f"{d.index}: {d.name}" for d in devices)
    raise AudioUnavailable(f"no {noun} matches {wanted!r}; available: {names}")
