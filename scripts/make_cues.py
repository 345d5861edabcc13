"""Generate the cue sounds in voicecoach/audio/cues/: soft, short tones made from sine waves.

Run:  .venv/bin/python -m scripts.make_cues [FOLDER]   (default: voicecoach/audio/cues/)
Only the standard library is used; the files are small and committed.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 22050  # the rate speech is rendered at, so the output stream never reopens
PEAK = 0.35  # soft: about a third of full scale
CUES_DIR = Path(__file__).resolve().parent.parent / "voicecoach" / "audio" / "cues"


def tone(freqs: list[float], seconds: float, fade: float = 0.02) -> list[float]:
    """A chord of sine waves with raised-cosine fades, so it starts and ends without a click."""
    count = int(RATE * seconds)
    fade_count = max(1, int(RATE * fade))
    samples = []
    for i in range(count):
        value = sum(math.sin(2 * math.pi * f * i / RATE) for f in freqs) / len(freqs)
        edge = min(i, count - 1 - i)
        if edge < fade_count:
            value *= 0.5 - 0.5 * math.cos(math.pi * edge / fade_count)
        samples.append(value)
    return samples


def decaying(samples: list[float], half_life: float) -> list[float]:
    """The sound dying away like a struck chime."""
    return [s * 0.5 ** (i / RATE / half_life) for i, s in enumerate(samples)]


def quiet(seconds: float) -> list[float]:
    return [0.0] * int(RATE * seconds)


def write_wav(folder: Path, name: str, samples: list[float]) -> Path:
    path = folder / f"{name}.wav"
    frames = b"".join(struct.pack("<h", round(s * PEAK * 32767)) for s in samples)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)
    return path


def main(folder: Path = CUES_DIR) -> None:
    """Write every cue into `folder` (default: the repository's voicecoach/audio/cues/)."""
    cues = {
        # Rising pair: the hold begins.
        "hold_start": decaying(tone([523.25], 0.18), 0.12)
        + quiet(0.04)
        + decaying(tone([659.25], 0.3), 0.15),
        # Falling pair: the hold is over, you can release.
        "hold_end": decaying(tone([659.25], 0.18), 0.12)
        + quiet(0.04)
        + decaying(tone([523.25, 392.0], 0.4), 0.2),
        # A short, soft woodblock-like tick for counting.
        "tick": decaying(tone([880.0], 0.06, fade=0.005), 0.02),
    }
    for name, samples in cues.items():
        path = write_wav(folder, name, samples)
        print(f"{path}: {len(samples) / RATE:.2f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else CUES_DIR)
