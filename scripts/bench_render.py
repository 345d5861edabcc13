"""How long does turning a phrase into sound take? Prints cold and cached render times.

Usage: .venv/bin/python -m scripts.bench_render [--voice en-us] [--rate 160]
Needs espeak-ng (no sound device).
"""

from __future__ import annotations

import argparse
import statistics
import time

from voicecoach.audio.tts import PRERENDER_PHRASES, Renderer, VoiceSettings

PHRASES = [
    "Lie on your back on a firm surface, with your knees bent.",
    "Gently tilt your pelvis, flattening your lower back against the floor.",
    "Slowly bring one knee towards your chest, and hold.",
    "Release.",
    "Say stop at any time to pause.",
]


def ms(values: list[float]) -> str:
    values = sorted(v * 1000 for v in values)
    return f"median {statistics.median(values):.1f} ms, max {values[-1]:.1f} ms (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default="")
    parser.add_argument("--rate", type=int, default=160)
    args = parser.parse_args()

    began = time.monotonic()
    renderer = Renderer(VoiceSettings(voice=args.voice, rate=args.rate))
    print(f"engine start: {(time.monotonic() - began) * 1000:.0f} ms")

    cold = []
    for phrase in PHRASES:
        began = time.monotonic()
        sound = renderer.render(phrase)
        cold.append(time.monotonic() - began)
        print(f"  {cold[-1] * 1000:6.1f} ms for {sound.seconds:4.2f} s of speech: {phrase}")
    print(f"sentences, cold: {ms(cold)}")

    cached = []
    for phrase in PHRASES:
        began = time.monotonic()
        renderer.render(phrase)
        cached.append(time.monotonic() - began)
    print(f"sentences, cached: {ms(cached)}")

    began = time.monotonic()
    renderer.prerender(PRERENDER_PHRASES)
    took = time.monotonic() - began
    print(f"prerender of {len(PRERENDER_PHRASES)} counting words: {took * 1000:.0f} ms total")


if __name__ == "__main__":
    main()
