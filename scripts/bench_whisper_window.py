#!/usr/bin/env python3
"""Whisper's encoder window against accuracy and time, on the espeak-ng tuning set.

    .venv/bin/python -m scripts.bench_whisper_window                 # windows 3000 1500 1000 600
    .venv/bin/python -m scripts.bench_whisper_window --windows 1000 --threads 1 --voices 4

For each window (mel frames of 10 ms the encoder works on; Whisper's own is 3000) and
thread count: right commands, non-commands rejected and false commands per 10 minutes of
synthetic noise (tune_recogniser.py's set: never the human recordings), and the time
per decoded utterance, wall median / p95 and processor time.
"""

from __future__ import annotations

import argparse
import statistics
import time

from scripts.tune_recogniser import VOICES, noise_clips, right, speech_clips
from voicecoach.listening.engine import Decoded
from voicecoach.listening.whisper import WhisperEngine, WhisperSettings
from voicecoach.listening.whisper_model import ready_model


class Timed:
    """The engine, with the wall and processor time of each decode."""

    def __init__(self, engine: WhisperEngine) -> None:
        self.engine = engine
        self.name = engine.name
        self.walls: list[float] = []
        self.cpus: list[float] = []

    def decode(self, pcm: bytes) -> Decoded:
        wall, cpu = time.perf_counter(), time.process_time()
        decoded = self.engine.decode(pcm)
        self.walls.append(time.perf_counter() - wall)
        self.cpus.append(time.process_time() - cpu)
        return decoded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--windows", type=int, nargs="+", default=[3000, 1500, 1000, 600])
    parser.add_argument("--threads", type=int, nargs="+", default=[2])
    parser.add_argument("--voices", type=int, default=2, help="tuning voices to use")
    args = parser.parse_args()
    folder = ready_model()
    print(" window threads  right commands  rejected  noise false/10min  wall med/p95 ms  cpu ms")
    for threads in args.threads:
        for window in args.windows:
            settings = WhisperSettings(window_frames=window, cpu_threads=threads)
            timed = Timed(WhisperEngine(folder, settings))
            engine: object = timed
            clips = speech_clips(engine, VOICES[: args.voices]) + noise_clips(engine)  # type: ignore[arg-type]
            commands = [c for c in clips if c.kind == "command"]
            rejects = [c for c in clips if c.kind == "reject"]
            noises = [c for c in clips if c.kind == "noise"]
            minutes = sum(c.seconds for c in noises) / 60
            false = sum(sum(h.taken for h in c.heard) for c in noises)
            p95 = statistics.quantiles(timed.walls, n=20)[-1]
            print(f" {window:6d} {threads:7d}  {sum(map(right, commands)):5d}/{len(commands):<5d}"
                  f"  {sum(map(right, rejects)):4d}/{len(rejects):<4d}"
                  f"  {false / minutes * 10:10.1f}"
                  f"        {1000 * statistics.median(timed.walls):5.0f}/{1000 * p95:<5.0f}"
                  f"    {1000 * statistics.mean(timed.cpus):5.0f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
