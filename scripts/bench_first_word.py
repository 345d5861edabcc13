"""Time from typing `voicecoach routine gentle` to hearing its first word (goal: 1.5 s).

Launches the real command (through a small wrapper that notes when the first phrase is
handed to the player) with its speech routed into a PulseAudio null sink, and reads the
sink's monitor live through a pipe (parec, 5 ms latency). Two numbers per run:
  - ready:   launch -> the first phrase rendered and handed to the audio player;
  - heard:   launch -> the first loud sample at the sink's monitor (includes the
             audio path's own latency).

Usage: .venv/bin/python -m scripts.bench_first_word [--runs 5] [-- extra routine options]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from tests import pulse, voice_rig  # the tests' PulseAudio helpers and live sink reader

SINK_SETTLE_SECONDS = 2.5
"""A freshly made null sink plays nothing for its first ~1.6 s (measured: a raw PyAudio
stream opened at once was heard after 1.6 s, one opened 2 s later after 7 ms), so the
sink is left to settle before the launch: otherwise the rig, not voicecoach, is measured."""


WRAPPER = """
import sys, time
import voicecoach.audio.playback as playback
original = playback.Player.play
def play(self, pcm, rate, on_start=None):
    if not getattr(playback, "_first", False):
        playback._first = True
        print(f"FIRST-BLOCK {time.monotonic():.6f}", file=sys.stderr, flush=True)
    return original(self, pcm, rate, on_start=on_start)
playback.Player.play = play
from voicecoach.commands.cli import main
sys.argv[0] = "voicecoach"
main()
"""


def first_sound(monitor: voice_rig.LiveMonitor, launched: float) -> float | None:
    try:
        return voice_rig.wait_for_sound(monitor, since=launched, timeout=15)
    except AssertionError:
        return None


def first_block_time(stderr: bytes) -> float | None:
    for line in stderr.decode(errors="replace").splitlines():
        if line.startswith("FIRST-BLOCK "):
            return float(line.split()[1])
    return None


def one_run(extra: list[str]) -> tuple[float, float]:
    with pulse.null_sink("firstword", rate=22050) as sink:
        monitor = voice_rig.LiveMonitor(sink.monitor)
        monitor.wait_streaming()
        time.sleep(SINK_SETTLE_SECONDS)
        env = dict(os.environ, PULSE_SINK=sink.name)
        launched = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-c", WRAPPER, "routine", "gentle", "--no-pain-scores", *extra],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            heard = first_sound(monitor, launched)
        finally:
            child.kill()
            _, stderr = child.communicate(timeout=10)
            monitor.close()
    written = first_block_time(stderr)
    if heard is None or written is None:
        raise SystemExit("no speech was heard within 15 s")
    return written - launched, heard - launched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("extra", nargs="*", help="extra options for `voicecoach routine`")
    args = parser.parse_args()
    reason = pulse.ensure_running()
    if reason:
        sys.exit(f"cannot run: {reason}")
    runs = [one_run(args.extra) for _ in range(args.runs)]
    for i, (written, heard) in enumerate(runs, 1):
        print(f"run {i}: ready {written * 1000:.0f} ms, heard {heard * 1000:.0f} ms")
    options = " ".join(args.extra) or "default options"
    for label, values in (("ready", [w for w, _ in runs]), ("heard", [h for _, h in runs])):
        print(
            f"launch to first spoken word ({label}), {args.runs} runs, {options}: "
            f"median {statistics.median(values) * 1000:.0f} ms, "
            f"worst {max(values) * 1000:.0f} ms (goal: 1500 ms)"
        )


if __name__ == "__main__":
    main()
