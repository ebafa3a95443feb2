"""The report's Markdown pieces: tables and ratios."""

from __future__ import annotations

import math


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def times(value: float) -> str:
    """A ratio as `1.23x`; n/a where a side was not measured."""
    return "n/a" if math.isnan(value) else f"{value:.2f}x"
