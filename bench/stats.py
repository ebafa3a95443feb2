"""Medians and ratios: every figure of the report is a median of repeated, interleaved samples."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else float("nan")


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile, e.g. fraction=0.99 for p99."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]
