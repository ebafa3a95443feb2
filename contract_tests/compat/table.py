"""Renders the rows of a comparison as one plain-text table."""

from __future__ import annotations

from collections.abc import Sequence

from contract_tests.compat.compare import Row
from contract_tests.compat.rules import Impact

HEADERS = ("where (JSON pointer)", "change", "class", "why")


def class_of(row: Row) -> str:
    if not row.impacts:
        return "compatible"
    return ", ".join(impact.value for impact in Impact if impact in row.impacts)


def render(rows: Sequence[Row]) -> str:
    if not rows:
        return "No changes."
    cells = [HEADERS, *((row.pointer, row.change, class_of(row), "; ".join(row.reasons)) for row in rows)]
    widths = [max(len(line[column]) for line in cells) for column in range(len(HEADERS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def summary(rows: Sequence[Row]) -> str:
    clients = sum(Impact.CLIENTS in row.impacts for row in rows)
    servers = sum(Impact.SERVERS in row.impacts for row in rows)
    compatible = sum(not row.impacts for row in rows)
    return f"{len(rows)} changes: {clients} break clients, {servers} break servers, {compatible} compatible"
