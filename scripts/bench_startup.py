"""How long `voicecoach --help` takes to start (goal: 300 ms). Heavy libraries must load lazily.

Usage: .venv/bin/python -m scripts.bench_startup [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def time_help(executable: Path) -> float:
    started = time.perf_counter()
    subprocess.run([str(executable), "--help"], check=True, capture_output=True, timeout=30)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    executable = Path(sys.executable).with_name("voicecoach")
    time_help(executable)  # warm the disk cache and .pyc files
    times = sorted(time_help(executable) for _ in range(args.runs))
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"voicecoach --help start-up over {args.runs} runs: "
        f"median {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
        f"(goal: 300 ms)"
    )


if __name__ == "__main__":
    main()
