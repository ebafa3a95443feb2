"""`make compat`: compare spec/openapi.yaml with the spec at BASE and print one table of changes.

Usage: python -m contract_tests.compat [BASE] [--spec PATH] [--allow-breaking]

BASE is a file or a git ref (default origin/main; where that ref does not exist, as in a clone
without that remote, main and then HEAD are used instead, with a note). Exit status: 0 when no
change breaks clients or servers (or --allow-breaking), 1 when one does, 2 for a BASE or file that
cannot be read, 3 for a document that is not OpenAPI (or has no operation left to compare: a flaw of a
spec confined to some operations only makes them "not testable"), 4 when Java or Specmatic fails.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from contract_tests.api.document import REPO_ROOT, SPEC_PATH, SpecError
from contract_tests.compat.compare import Row, SpecText, compare
from contract_tests.compat.specmatic import SpecmaticError
from contract_tests.compat.table import render, summary, untestable_operations

DEFAULT_BASE = "origin/main"
FALLBACK_BASES = ("main", "HEAD")
EXIT_BREAKING, EXIT_UNREADABLE, EXIT_INVALID_SPEC, EXIT_TOOL_FAILED = 1, 2, 3, 4


class UnreadableError(Exception):
    """BASE or the spec file cannot be read."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make compat", description=__doc__.splitlines()[0])
    parser.add_argument(
        "base", nargs="?", default=DEFAULT_BASE, help="file or git ref (default: %(default)s)"
    )
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="the edited spec (default: %(default)s)")
    parser.add_argument("--allow-breaking", action="store_true", help="exit 0 even when a change is breaking")
    args = parser.parse_args(argv)
    try:
        older = read_base(args.base)
        newer = read_file(args.spec)
        comparison = compare(older, newer)
    except UnreadableError as exc:
        return _fail(str(exc), EXIT_UNREADABLE)
    except SpecError as exc:
        return _fail(str(exc), EXIT_INVALID_SPEC)
    except SpecmaticError as exc:
        return _fail(str(exc), EXIT_TOOL_FAILED)
    rows = comparison.rows
    print(f"{newer.origin} compared with {older.origin}:\n")
    print(render(rows))
    untestable = untestable_operations(comparison.untestable)
    if untestable:
        print(f"\n{untestable}")
    print(f"\n{summary(rows)}")
    status = exit_status(rows, args.allow_breaking)
    if status == EXIT_BREAKING:
        print("Breaking: revise the edit, or for a deliberate major change run: make compat ALLOW_BREAKING=1")
    elif any(row.impacts for row in rows):
        print("Breaking changes allowed (--allow-breaking): release them as a major version.")
    return status


def exit_status(rows: Sequence[Row], allow_breaking: bool) -> int:
    """1 when a change breaks clients or servers, unless allowed; else 0."""
    return EXIT_BREAKING if any(row.impacts for row in rows) and not allow_breaking else 0


def read_file(path: Path) -> SpecText:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UnreadableError(f"cannot read {path}: {exc.strerror}") from exc
    shown = path.resolve().relative_to(REPO_ROOT) if path.resolve().is_relative_to(REPO_ROOT) else path
    return SpecText(text, str(shown))


def read_base(base: str) -> SpecText:
    """The spec at BASE: a file, else spec/openapi.yaml at a git ref."""
    if Path(base).is_file():
        return read_file(Path(base))
    ref = _commit_of(base)
    if ref is None and base == DEFAULT_BASE:
        ref = next((name for name in FALLBACK_BASES if _commit_of(name)), None)
        if ref is not None:
            print(f"note: {DEFAULT_BASE} does not exist here; comparing with {ref}", file=sys.stderr)
    if ref is None:
        raise UnreadableError(f"BASE {base!r} is neither a file nor a git ref of this repository")
    spec_path = SPEC_PATH.relative_to(REPO_ROOT).as_posix()
    shown = _git("show", f"{ref}:{spec_path}")
    if shown.returncode != 0:
        raise UnreadableError(f"{ref} has no {spec_path}")
    return SpecText(shown.stdout, f"{spec_path} at {ref}")


def _commit_of(ref: str) -> str | None:
    found = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return ref if found.returncode == 0 else None


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise UnreadableError(f"cannot run git: {exc.strerror}") from exc


def _fail(message: str, status: int) -> int:
    print(f"compat: {message}", file=sys.stderr)
    return status
