"""A soft voice across the room: a recording made quieter, with the room's reverb (sox)
and a steady fan running before, during and after it. Used by the soft-voice evaluation
(scripts/eval_soft_voice.py) and the levelling tests; the same room for every clip."""

from __future__ import annotations

import shutil
import subprocess
import zlib

import numpy as np

from voicecoach.listening.frames import SAMPLE_RATE

FAN_DBFS = -50.0
"""RMS of the fan noise."""
REVERB = ("reverb", "50", "50", "70")
"""sox reverb: reverberance %, high-frequency damping %, room scale % (a small room)."""
LEAD, TAIL = 1.5, 1.0
"""Seconds of fan before and after each clip (the listener hears the room first)."""


def available() -> bool:
    return shutil.which("sox") is not None


def fan(seconds: float, seed: int) -> np.ndarray:
    """A steady fan: brown noise rolled off above 150 Hz, some pink hiss and a slight
    50 Hz hum, shaped in the frequency domain, at FAN_DBFS RMS (float samples)."""
    rng = np.random.default_rng(seed)
    count = int(seconds * SAMPLE_RATE)
    spectrum = np.fft.rfft(rng.standard_normal(count))
    freqs = np.maximum(np.fft.rfftfreq(count, 1 / SAMPLE_RATE), 20.0)
    brown = 1.0 / (1.0 + (freqs / 150.0) ** 2)
    pink = 0.15 / np.sqrt(freqs / 150.0)
    shaped = np.fft.irfft(spectrum * (brown + pink), count)
    t = np.arange(count) / SAMPLE_RATE
    hum = 0.15 * np.sin(2 * np.pi * 50 * t) + 0.08 * np.sin(2 * np.pi * 100 * t + 1.0)
    mix = shaped / shaped.std() + hum
    return np.asarray(mix * (32768 * 10 ** (FAN_DBFS / 20) / mix.std()))


def room(pcm: bytes, level_db: float) -> np.ndarray:
    """`pcm` (16 kHz mono int16) made `level_db` quieter and passed through the room's
    reverb (sox, no dither, repeatable), with its reverb tail."""
    raw = ["-t", "raw", "-r", str(SAMPLE_RATE), "-e", "signed", "-b", "16", "-c", "1"]
    command = ["sox", "-R", "-D", *raw, "-", *raw, "-", "vol", f"{level_db}dB",
               "pad", "0", "0.5", *REVERB]  # fmt: skip
    out = subprocess.run(command, input=pcm, capture_output=True, check=True, timeout=30).stdout
    return np.frombuffer(out, dtype=np.int16).astype(np.float64)


def across_the_room(pcm: bytes, level_db: float, name: str) -> bytes:
    """The recording as the microphone hears it from across the room, the fan running
    LEAD s before it and TAIL s after (its noise seeded by `name`)."""
    voice = room(pcm, level_db)
    lead, tail = int(LEAD * SAMPLE_RATE), int(TAIL * SAMPLE_RATE)
    stream = fan((lead + voice.size + tail) / SAMPLE_RATE, zlib.crc32(name.encode()))
    stream[lead : lead + voice.size] += voice
    return to_pcm(stream)


def to_pcm(samples: np.ndarray) -> bytes:
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16).tobytes()
