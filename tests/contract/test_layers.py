"""The folder layout is the architecture: the ground floor (`contract_tests/api`) reads the spec, the rules
(`contract_tests/rules`) judge over it, and each product room reads those two and the shared plumbing,
never another room. The judge never reads the law through the defendant's reader: the suite and the
reference server share only the ground floor.

Imports are read from the source with `ast` (those inside functions too), so a late import cannot slip by.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "contract_tests"
GROUND = {"api"}
PLUMBING = {"asgi", "masking", "commands", "serving", "isolation"}
ROOMS = {"suite", "server", "mock", "proxy", "gallery", "compat", "client"}
# Entry points wire the rooms together; they hold no judgment of their own.
ENTRY_POINTS = {"cli", "pytest_plugin", "__main__"}
ALLOWED: dict[str, set[str]] = {
    "api": {"isolation"},
    "rules": GROUND | {"masking"},
    **{plumbing: GROUND | {"rules"} for plumbing in PLUMBING},
    **{room: GROUND | {"rules"} | PLUMBING for room in ROOMS},
}
# The judging mock is the reference server with a judge in front of it (issue: "the reference server, as a
# judging mock"): it serves the server's own app, and judges with the rules, not with the server's reading.
ALLOWED["mock"] = ALLOWED["mock"] | {"server"}


def _part(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "contract_tests" and len(parts) > 1:
                found.add(parts[1])
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        part = _part(path)
        if part == "__init__":
            continue
        graph.setdefault(part, set()).update(_imported(path) - {part})
    return graph


def test_every_part_of_the_package_has_a_place() -> None:
    unplaced = set(_graph()) - set(ALLOWED) - ENTRY_POINTS
    assert not unplaced, f"contract_tests parts with no place in the layers: {sorted(unplaced)}"


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_a_part_imports_only_what_lies_below_it(part: str) -> None:
    graph = _graph()
    assert part in graph, f"contract_tests/{part} is gone: update the layers"
    stray = graph[part] - ALLOWED[part]
    assert not stray, (
        f"contract_tests/{part} imports {sorted(stray)}; it may import only {sorted(ALLOWED[part])}"
    )


def test_the_reader_catches_a_late_import(tmp_path: Path) -> None:
    module = tmp_path / "late.py"
    module.write_text(
        "def f():\n    from contract_tests.server import app\n    import contract_tests.suite.runner\n"
    )
    assert _imported(module) == {"server", "suite"}
