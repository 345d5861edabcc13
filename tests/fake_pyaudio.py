"""A hand-written stand-in for a PyAudio instance, for unit tests of the audio adapters.

Output streams pace their writes like a sound card (a write takes the block's duration)
and record what was written; input streams hand out frames and can be told to fail.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeOutputStream:
    rate: int
    pace: float = 1.0
    """1.0 = writes take real time, like a sound card."""
    written: list[bytes] = field(default_factory=list)
    closed: bool = False
    stop_stream_calls: int = 0
    fail_after: int | None = None
    """Raise OSError on this many-th write (the device vanished)."""

    def write(self, data: bytes) -> None:
        if self.closed:
            raise OSError("Stream closed")
        if self.fail_after is not None and len(self.written) >= self.fail_after:
            raise OSError("[Errno -9999] Unanticipated host error")
        time.sleep(len(data) / 2 / self.rate * self.pace)
        self.written.append(data)

    def speech_bytes(self) -> int:
        """Bytes written that were not silence."""
        return sum(len(block) for block in self.written if any(block))

    def get_output_latency(self) -> float:
        return 0.01

    def stop_stream(self) -> None:
        self.stop_stream_calls += 1

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeInputStream:
    frames: int
    fail_after: int | None = None
    """Raise OSError on this many-th read (the microphone was unplugged)."""
    reads: int = 0
    closed: bool = False

    silent_after: int | None = None
    """Deliver nothing more after this many reads (a device that fell quiet)."""

    def get_read_available(self) -> int:
        if self.fail_after is not None and self.reads >= self.fail_after:
            raise OSError("[Errno -9988] Stream closed / device unavailable")
        if self.silent_after is not None and self.reads >= self.silent_after:
            return 0
        return self.frames

    def read(self, count: int, exception_on_overflow: bool = True) -> bytes:
        if self.fail_after is not None and self.reads >= self.fail_after:
            raise OSError("[Errno -9981] Input overflowed / device unavailable")
        self.reads += 1
        time.sleep(0.002)
        return (self.reads % 100).to_bytes(2, "little") * count

    def close(self) -> None:
        self.closed = True


DEVICES = [
    {"name": "Built-in Microphone", "maxInputChannels": 2, "maxOutputChannels": 0},
    {"name": "USB Headset", "maxInputChannels": 1, "maxOutputChannels": 2},
    {"name": "Speakers", "maxInputChannels": 0, "maxOutputChannels": 2},
]


class FakePyAudio:
    def __init__(
        self,
        devices: list[dict[str, Any]] | None = None,
        default_input: int | None = 0,
        default_output: int | None = 2,
    ) -> None:
        self.devices = [
            {"index": i, "defaultSampleRate": 44100.0, **d}
            for i, d in enumerate(DEVICES if devices is None else devices)
        ]
        self.default_input = default_input
        self.default_output = default_output
        self.outputs: list[FakeOutputStream] = []
        self.inputs: list[FakeInputStream] = []
        self.output_fail_after: int | None = None
        self.input_fail_after: int | None = None
        self.input_silent_after: int | None = None
        self.refuse_to_open = False
        """Every open() fails, as when the device has been unplugged."""
        self.opened = threading.Event()

    def get_device_count(self) -> int:
        return len(self.devices)

    def get_device_info_by_index(self, index: int) -> dict[str, Any]:
        return self.devices[index]

    def get_default_input_device_info(self) -> dict[str, Any]:
        if self.default_input is None:
            raise OSError("No Default Input Device Available")
        return self.devices[self.default_input]

    def get_default_output_device_info(self) -> dict[str, Any]:
        if self.default_output is None:
            raise OSError("No Default Output Device Available")
        return self.devices[self.default_output]

    def open(self, **kwargs: Any) -> Any:
        if self.refuse_to_open:
            raise OSError("[Errno -9996] Invalid output device (no default output device)")
        self.opened.set()
        if kwargs.get("output"):
            out = FakeOutputStream(kwargs["rate"], fail_after=self.output_fail_after)
            self.outputs.append(out)
            return out
        stream = FakeInputStream(
            kwargs["frames_per_buffer"],
            fail_after=self.input_fail_after,
            silent_after=self.input_silent_after,
        )
        self.inputs.append(stream)
        return stream
