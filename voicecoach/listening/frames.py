"""Audio frames shaped the way a microphone delivers them.

Everything downstream (VAD, recogniser) sees 30 ms frames of 16 kHz mono int16 audio
with a start time in seconds, whether they come from a microphone or a WAV file, so
`voicecoach hear` runs the same pipeline as a live session.
"""

from __future__ import annotations

import random
import struct
import wave
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SAMPLE_RATE = 16000
"""Samples per second of every frame."""
FRAME_SAMPLES = 480
"""Samples per frame: 30 ms at 16 kHz, what the microphone module delivers."""
FRAME_BYTES = FRAME_SAMPLES * 2
FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE

NOISE_FLOOR_LSB = 6.0
"""Standard deviation of the noise floor added to file audio (about -75 dBFS).

PocketSphinx decodes digital silence (exact zeros) badly: its feature normalisation
collapses. A real microphone never gives zeros, so files get a quiet hiss instead."""


class AudioFileError(Exception):
    """A file that cannot be read as audio; the message is one line for the user."""


@dataclass(frozen=True)
class Frame:
    """One block of audio."""

    pcm: bytes
    """16 kHz mono signed 16-bit little-endian samples (FRAME_BYTES long)."""
    time: float
    """When the first sample was captured, in seconds (stream or monotonic time)."""

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / SAMPLE_RATE

    @property
    def end(self) -> float:
        """When the sample after the last one would be captured."""
        return self.time + self.seconds


def mean_square(pcm: bytes) -> float:
    """The mean of the squared samples of 16-bit mono audio (its power; 0 when empty)."""
    count = len(pcm) // 2
    if count == 0:
        return 0.0
    samples = struct.unpack(f"<{count}h", pcm[: count * 2])
    return sum(s * s for s in samples) / count


def read_wav(path: str | Path) -> bytes:
    """The samples of a WAV/AIFF/FLAC file as 16 kHz mono int16 bytes."""
    import speech_recognition as sr  # converts rate, width and channels portably

    path = Path(path)
    if not path.is_file():
        raise AudioFileError(f"{path}: no such file")
    try:
        with sr.AudioFile(str(path)) as source:
            audio = sr.Recognizer().record(source)
        return audio.get_raw_data(convert_rate=SAMPLE_RATE, convert_width=2)
    except (ValueError, EOFError, wave.Error, struct.error, OSError) as error:
        raise AudioFileError(f"{path}: not a readable audio file ({error})") from error


def write_wav(path: str | Path, pcm: bytes, rate: int = SAMPLE_RATE) -> Path:
    """Save mono int16 samples as a WAV file."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return Path(path)


def noise(seconds: float, lsb: float = NOISE_FLOOR_LSB, seed: int = 0) -> bytes:
    """Quiet Gaussian hiss, as a stand-in for a microphone's own noise."""
    rng = random.Random(seed)
    count = int(round(seconds * SAMPLE_RATE))
    samples = [_clip(rng.gauss(0.0, lsb)) for _ in range(count)]
    return struct.pack(f"<{count}h", *samples)


def add_noise_floor(pcm: bytes, lsb: float = NOISE_FLOOR_LSB, seed: int = 0) -> bytes:
    """The same audio with a quiet hiss added, so no stretch is exact digital zeros."""
    count = len(pcm) // 2
    samples = struct.unpack(f"<{count}h", pcm[: count * 2])
    rng = random.Random(seed)
    mixed = [_clip(s + rng.gauss(0.0, lsb)) for s in samples]
    return struct.pack(f"<{count}h", *mixed)


ZERO_RUN = b"\x00\x00" * 16
"""16 samples of exact zero in a row: digital silence, never a real microphone's noise."""


class SilenceDither:
    """Gives exact digital silence a noise floor before it is heard.

    Some microphone drivers send exact zeros between words. PocketSphinx decodes such
    audio badly (its noise estimate and feature normalisation collapse: "next" was lost
    4 times of 4, "pain" heard as "nine"), so zero samples get the same quiet hiss a real
    microphone has. Audio without a run of zeros passes through untouched (and cheaply)."""

    def __init__(self, lsb: float = NOISE_FLOOR_LSB, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self._lsb = lsb

    def __call__(self, frame: Frame) -> Frame:
        if ZERO_RUN not in frame.pcm:
            return frame
        count = len(frame.pcm) // 2
        samples = struct.unpack(f"<{count}h", frame.pcm[: count * 2])
        gauss, lsb = self._rng.gauss, self._lsb
        filled = [s if s else _clip(gauss(0.0, lsb)) for s in samples]
        return Frame(struct.pack(f"<{count}h", *filled), frame.time)


def _clip(value: float) -> int:
    return max(-32768, min(32767, int(round(value))))


def split_frames(pcm: bytes, start: float = 0.0) -> Iterator[Frame]:
    """Cut audio into whole frames (a short last frame is padded with hiss)."""
    for offset in range(0, len(pcm), FRAME_BYTES):
        chunk = pcm[offset : offset + FRAME_BYTES]
        if len(chunk) < FRAME_BYTES:
            chunk += noise((FRAME_BYTES - len(chunk)) / 2 / SAMPLE_RATE, seed=offset)
        yield Frame(chunk, start + offset / 2 / SAMPLE_RATE)


def file_frames(path: str | Path, lead_in: float = 0.3, tail: float = 1.0) -> Iterator[Frame]:
    """Frames of a file as a microphone would give them.

    Tightly trimmed clips get `lead_in` seconds of hiss before and `tail` after, so the
    VAD sees the word start and end. Frame times are seconds into the file itself
    (negative during the lead-in)."""
    pcm = add_noise_floor(read_wav(path))
    padded = noise(lead_in, seed=1) + pcm + noise(tail, seed=2)
    return split_frames(padded, start=-lead_in)


def concat(frames: Iterable[Frame]) -> bytes:
    return b"".join(frame.pcm for frame in frames)
