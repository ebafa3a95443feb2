"""The fixtures of fixtures.yaml: edited copies of the real spec, made in memory."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from contract_tests.spec import load_spec

FIXTURES_PATH = Path(__file__).with_name("fixtures.yaml")


@dataclass(frozen=True)
class Fixture:
    name: str
    older: dict[str, Any]
    newer: dict[str, Any]
    expect: dict[str, frozenset[str]]


def load_fixtures(path: Path = FIXTURES_PATH) -> list[Fixture]:
    spec = load_spec()
    fixtures = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
        older = apply_edits(spec, entry.get("base", []))
        fixtures.append(
            Fixture(
                name=entry["name"],
                older=older,
                newer=apply_edits(older, entry["edit"]),
                expect={pointer: frozenset(classes) for pointer, classes in entry["expect"].items()},
            )
        )
    return fixtures


def apply_edits(document: dict[str, Any], edits: list[dict[str, Any]]) -> dict[str, Any]:
    """A copy of `document` with each edit ({set: pointer, value: ...} or {remove: pointer}) made."""
    result = copy.deepcopy(document)
    for edit in edits:
        pointer = edit.get("set", edit.get("remove"))
        if not isinstance(pointer, str):
            raise ValueError(f"an edit needs 'set' or 'remove': {edit}")
        *parents, last = [_unescape(part) for part in pointer.split("/")[1:]]
        container: Any = result
        for part in parents:
            container = container[int(part)] if isinstance(container, list) else container[part]
        if "remove" in edit:
            del container[int(last) if isinstance(container, list) else last]
        elif isinstance(container, list) and last == "-":
            container.append(edit["value"])
        elif isinstance(container, list):
            container[int(last)] = edit["value"]
        else:
            container[last] = edit["value"]
    return result


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")
