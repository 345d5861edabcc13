"""One way for the benchmark scripts to sum up a list of times."""

from __future__ import annotations

import math
import statistics


def percentile(values: list[float], fraction: float) -> float:
    """The value `fraction` of the way up the sorted list (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(name: str, seconds: list[float], extra: str = "") -> str:
    """ "name: median, p95, worst (n=...)" in milliseconds; NaN (not measured) left out."""
    ms = [v * 1000 for v in seconds if not math.isnan(v)]
    if not ms:
        return f"{name}: no data"
    return (
        f"{name}: median {statistics.median(ms):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, "
        f"worst {max(ms):.0f} ms (n={len(ms)}{extra})"
    )
