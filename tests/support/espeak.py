"""Test speech rendered with espeak-ng: many voices, speeds, pitches, added noise.

Used by the evaluation script and the tests to make audio to tune and check the
recogniser on (never the human recordings, which are for measuring only).
"""

from __future__ import annotations

import math
import random
import shutil
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from voicecoach.listening.frames import SAMPLE_RATE, add_noise_floor, mean_square, read_wav


class EspeakMissing(RuntimeError):
    """espeak-ng is not installed."""


@dataclass(frozen=True)
class Voice:
    """How espeak-ng says something."""

    name: str = "en-us"
    """espeak-ng voice with optional variant, e.g. "en-gb+f2"."""
    speed: int = 160
    """Words per minute."""
    pitch: int = 50
    """0-99."""

    @property
    def tag(self) -> str:
        return f"{self.name.replace('+', '_')}-s{self.speed}-p{self.pitch}"


def available() -> bool:
    return shutil.which("espeak-ng") is not None


def render(text: str, voice: Voice | None = None, timeout: float = 20.0) -> bytes:
    """`text` spoken by espeak-ng as 16 kHz mono int16 samples (with a noise floor)."""
    voice = voice or Voice()
    if not available():
        raise EspeakMissing("espeak-ng is not installed")
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "say.wav"
        command = ["espeak-ng", "-v", voice.name, "-s", str(voice.speed), "-p", str(voice.pitch)]
        subprocess.run([*command, "-w", str(wav), text], check=True, timeout=timeout)
        return add_noise_floor(read_wav(wav), seed=zlib.crc32(text.encode()) & 0xFFFF)


def rms(pcm: bytes) -> float:
    return math.sqrt(mean_square(pcm))


def add_noise(pcm: bytes, snr_db: float, colour: str = "white", seed: int = 0) -> bytes:
    """The audio with noise mixed in at `snr_db` below the speech level.

    The speech level is the RMS of the loud part (frames within 30 dB of the peak), so
    silence around a word does not make the noise quieter than intended. `colour` is
    "white" or "low" (low-pass, like fans and traffic)."""
    count = len(pcm) // 2
    samples = struct.unpack(f"<{count}h", pcm[: count * 2])
    noise_rms = speech_level(pcm) / (10 ** (snr_db / 20))
    rng = random.Random(seed)
    raw = _coloured(rng, count, colour)
    scale = noise_rms / (math.sqrt(sum(v * v for v in raw) / max(1, count)) or 1.0)
    mixed = [max(-32768, min(32767, int(s + v * scale))) for s, v in zip(samples, raw, strict=True)]
    return struct.pack(f"<{count}h", *mixed)


def _coloured(rng: random.Random, count: int, colour: str) -> list[float]:
    white = [rng.gauss(0.0, 1.0) for _ in range(count)]
    if colour == "white":
        return white
    out, state = [], 0.0
    for value in white:  # one-pole low-pass: most energy below ~500 Hz
        state = 0.9 * state + value
        out.append(state)
    return out


def speech_level(pcm: bytes) -> float:
    """RMS of the 10 ms windows within 30 dB of the loudest one."""
    window = SAMPLE_RATE // 100 * 2
    levels = [rms(pcm[i : i + window]) for i in range(0, len(pcm), window)]
    if not levels:
        return 0.0
    loud = [lv for lv in levels if lv >= max(levels) * 0.0316]
    return math.sqrt(sum(lv * lv for lv in loud) / len(loud))


def speech_end(pcm: bytes) -> float:
    """Seconds from the start to the end of the last window within 35 dB of the peak."""
    window = SAMPLE_RATE // 100 * 2
    levels = [rms(pcm[i : i + window]) for i in range(0, len(pcm), window)]
    if not levels:
        return 0.0
    threshold = max(levels) * 0.0178
    last = max(i for i, lv in enumerate(levels) if lv >= threshold)
    return (last + 1) * 0.01
