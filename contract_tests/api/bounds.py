"""The bounds a spec states in prose only, written as the keywords they mean, in a copy of the document.

A published spec says "Limit can range between 1 and 100" of a parameter whose schema has no minimum
or maximum, and "Set of 16 key-value pairs... keys... 64 characters... values... 512" of a metadata map
with none either (contract_tests.api.prose reads the common forms). A faithful server, and the real API,
refuse what lies beyond them; a lenient one takes it. Neither breaks the schema as written, so a request
beyond a prose bound is judged either way (its success, or the documented error): `beyond` says where a
request lies beyond one, with the sentence that states it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from contract_tests.api.document import METHODS, node_at, pointer_of
from contract_tests.api.flaws import schema_places
from contract_tests.api.prose import ProseBound, bounds
from contract_tests.api.values import Values, json_types


@dataclass
class ProseBounds:
    """The document with its prose bounds as keywords, and where each came from."""

    values: Values  # of the bounded copy: the same pointers as the document's
    found: dict[str, list[ProseBound]] = field(default_factory=dict)  # schema pointer -> its bounds

    def sentence(self, pointer: str) -> str:
        said = self.found.get(pointer) or []
        return said[0].sentence if said else ""


def _write(node: dict[str, Any], bound: ProseBound) -> None:
    if bound.keyword == "x-key-maxLength":
        node["propertyNames"] = {**(node.get("propertyNames") or {}), "maxLength": bound.value}
    elif bound.keyword == "x-value-maxLength":
        extra = node.get("additionalProperties")
        node["additionalProperties"] = {
            **(extra if isinstance(extra, dict) else {}),
            "maxLength": bound.value,
        }
    else:
        node[bound.keyword] = bound.value


def read_bounds(document: dict[str, Any]) -> ProseBounds:
    """Every bound the document's descriptions state of a schema (or of a parameter, for its schema)."""
    bounded = copy.deepcopy(document)
    found: dict[str, list[ProseBound]] = {}
    places: list[tuple[str, dict[str, Any]]] = []
    for where in schema_places(document):
        node = node_at(document, where)
        if "$ref" not in node:
            places.append((where, node))
    for op_node in _parameters(document):
        pointer, parameter = op_node
        schema = parameter.get("schema")
        if isinstance(schema, dict) and "$ref" not in schema and parameter.get("description"):
            places.append((f"{pointer}/schema", {**schema, "description": parameter["description"]}))
    for where, node in places:
        said = bounds(node, json_types(node))
        if said:
            found[where] = said
            target = node_at(bounded, where)
            for bound in said:
                _write(target, bound)
    return ProseBounds(Values(bounded), found)


def _parameters(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(pointer, node) of every parameter object written in place or among the components."""
    found = []
    components = (document.get("components") or {}).get("parameters") or {}
    for name, node in components.items():
        if isinstance(node, dict):
            found.append((pointer_of("components", "parameters", name), node))
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        owners = [pointer_of("paths", path)]
        owners += [
            pointer_of("paths", path, method) for method in METHODS if isinstance(item.get(method), dict)
        ]
        for owner in owners:
            listed = node_at(document, owner).get("parameters") or []
            for index, node in enumerate(listed if isinstance(listed, list) else []):
                if isinstance(node, dict) and "$ref" not in node:
                    found.append((f"{owner}/parameters/{index}", node))
    return found
