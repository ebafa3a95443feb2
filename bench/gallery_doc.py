"""docs/gallery.md's last column, `st run --checks all`, from this run's defect gallery: each server's row
gets the verdict `st run` had on it (caught; missed or error in bold); rows of servers not run keep
theirs, and nothing else of the page changes."""

from __future__ import annotations

import re
from pathlib import Path

COLUMN = "`st run --checks all`"
# A row of the gallery's table: | `name` | defect | `check` | st run's verdict |
_ROW = re.compile(r"^\| `(?P<name>\w+)` \|(?P<middle>.*)\| (?P<verdict>[^|]*) \|$")


def cell(verdict: str) -> str:
    """A verdict as the table shows it: a catch plain, anything else in bold, without its details (an
    error's reason is in benchmarks.md)."""
    word = verdict.split(" ", 1)[0]
    return word if word == "caught" else f"**{word}**"


def fill(text: str, verdicts: dict[str, str]) -> str:
    """`text` (the page) with the st run cell of each server in `verdicts` replaced; only the table whose
    header names the column is touched."""
    lines = text.split("\n")
    inside = False
    for index, line in enumerate(lines):
        if line.startswith("| ") and line.rstrip().endswith(f"| {COLUMN} |"):
            inside = True
            continue
        if inside and not line.startswith("|"):
            inside = False
        found = _ROW.match(line) if inside else None
        if found and found["name"] in verdicts and found["middle"].count(" | ") == 1:
            lines[index] = f"| `{found['name']}` |{found['middle']}| {cell(verdicts[found['name']])} |"
    return "\n".join(lines)


def update(path: Path, verdicts: dict[str, str]) -> bool:
    """Rewrite the page at `path` with these verdicts; False when there is no such page or column."""
    if not verdicts or not path.exists():
        return False
    text = path.read_text(encoding="utf-8")
    if COLUMN not in text:
        return False
    filled = fill(text, verdicts)
    if filled != text:
        path.write_text(filled, encoding="utf-8")
    return True
