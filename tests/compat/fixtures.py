"""The fixtures of fixtures.yaml: edited copies of the real spec, made in memory.

An edit names what it changes, never a position: a list item is removed by its value, and a list
is only appended to. Every edit must change the document, and a part it removes must be there: a
fixture whose edit no longer applies to the spec fails loudly instead of testing something else.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from contract_tests.api.document import load_spec

FIXTURES_PATH = Path(__file__).with_name("fixtures.yaml")


class FixtureError(Exception):
    """An edit of fixtures.yaml that does not apply to the spec as it is."""


@dataclass(frozen=True)
class Fixture:
    name: str
    older: dict[str, Any]
    newer: dict[str, Any]
    expect: dict[str, frozenset[str]]
    base_edited: bool  # whether `older` is the spec edited (else it is the spec itself)
    dump: dict[str, Any] | None  # yaml.safe_dump's arguments for the newer text, if the fixture says

    def texts(self, spec_text: str) -> tuple[str, str]:
        """The older and newer texts compared: the spec's own text for an older document without a
        base; the newer document dumped by PyYAML (or the older text itself, when they are the same
        document and the fixture names no dump)."""
        older = yaml.safe_dump(self.older, sort_keys=False) if self.base_edited else spec_text
        if self.dump is None and self.newer == self.older:
            return older, older
        return older, yaml.safe_dump(
            self.newer, **(self.dump if self.dump is not None else {"sort_keys": False})
        )


def load_fixtures(path: Path = FIXTURES_PATH, spec: dict[str, Any] | None = None) -> list[Fixture]:
    spec = load_spec() if spec is None else spec
    fixtures = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
        name = entry["name"]
        try:
            older = apply_edits(spec, entry.get("base", []))
            newer = apply_edits(older, entry["edit"])
        except FixtureError as exc:
            raise FixtureError(f"fixture {name!r}: {exc}") from exc
        expect = {pointer: frozenset(classes) for pointer, classes in entry["expect"].items()}
        fixtures.append(Fixture(name, older, newer, expect, bool(entry.get("base")), entry.get("dump")))
    return fixtures


def apply_edits(document: dict[str, Any], edits: list[dict[str, Any]]) -> dict[str, Any]:
    """A copy of `document` with each edit made, in order. The edits:

    * ``{set: P, value: V}``: the key at pointer P becomes V (added if absent); ``P/-`` appends V to
      the list at P, which must not hold V yet;
    * ``{remove: P}``: the key at P, which must exist, is removed;
    * ``{remove: P, value: V}``: the item V is removed from the list at P, which must hold it;
    * ``{scale: P, by: F}``: the number at P is multiplied by F (an integer stays an integer), so that
      a fixture tightens or loosens a limit whatever its value;
    * ``{reverse: P}``: the list at P is reversed;
    * ``{move: P, to: Q}``: the value at P moves to Q, where there is none yet (a renamed component).

    Raises FixtureError for an edit that does not apply or changes nothing.
    """
    result = copy.deepcopy(document)
    for edit in edits:
        before = copy.deepcopy(result)
        _apply(result, edit)
        if result == before:
            raise FixtureError(f"the edit {edit} changes nothing")
    return result


def _apply(document: dict[str, Any], edit: dict[str, Any]) -> None:
    operation = next((key for key in _OPERATIONS if key in edit), None)
    pointer = edit.get(operation) if operation else None
    if not isinstance(pointer, str):
        raise FixtureError(f"an edit needs one of {', '.join(_OPERATIONS)} and a JSON pointer: {edit}")
    if operation == "move":
        _move(document, pointer, edit.get("to"))
        return
    *parents, last = [_unescape(part) for part in pointer.split("/")[1:]]
    container = _node(document, parents, pointer)
    if operation == "remove" and "value" in edit:
        items = _child(container, last, pointer)
        if not isinstance(items, list) or edit["value"] not in items:
            raise FixtureError(f"{pointer} holds no item {edit['value']!r} to remove")
        items.remove(edit["value"])
    elif isinstance(container, list):
        if operation != "set" or last != "-":
            raise FixtureError(f"{pointer}: address a list item by its value, not by its position")
        if edit["value"] in container:
            raise FixtureError(f"{pointer}: the list already holds {edit['value']!r}")
        container.append(edit["value"])
    elif operation == "remove":
        _child(container, last, pointer)
        del container[last]
    elif operation == "reverse":
        items = _child(container, last, pointer)
        if not isinstance(items, list):
            raise FixtureError(f"{pointer}: 'reverse' needs a list there")
        items.reverse()
    elif operation == "scale":
        container[last] = _scaled(_child(container, last, pointer), edit.get("by"), pointer)
    else:
        container[last] = edit["value"]


_OPERATIONS = ("set", "remove", "scale", "reverse", "move")


def _move(document: dict[str, Any], pointer: str, target: Any) -> None:
    if not isinstance(target, str):
        raise FixtureError(f"{pointer}: 'move' needs a JSON pointer 'to'")
    *parents, last = [_unescape(part) for part in pointer.split("/")[1:]]
    source = _node(document, parents, pointer)
    value = _child(source, last, pointer)
    *target_parents, target_last = [_unescape(part) for part in target.split("/")[1:]]
    destination = _node(document, target_parents, target)
    if not isinstance(destination, dict) or target_last in destination:
        raise FixtureError(f"{target}: 'move' needs a new key of an object there")
    del source[last]
    destination[target_last] = value


def _node(document: Any, parts: list[str], pointer: str) -> Any:
    node = document
    for part in parts:
        if isinstance(node, list):
            raise FixtureError(f"{pointer}: address a list item by its value, not by its position")
        node = _child(node, part, pointer)
    return node


def _child(node: Any, key: str, pointer: str) -> Any:
    if not isinstance(node, dict) or key not in node:
        raise FixtureError(f"the spec has nothing at {pointer}")
    return node[key]


def _scaled(value: Any, factor: Any, pointer: str) -> int | float:
    numbers = (int, float)
    if not isinstance(value, numbers) or isinstance(value, bool) or not isinstance(factor, numbers):
        raise FixtureError(f"{pointer}: 'scale' needs a number there and a number 'by'")
    scaled = value * factor
    return round(scaled) if isinstance(value, int) else scaled


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")
