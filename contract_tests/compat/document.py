"""JSON pointers into an OpenAPI document: escaping, positions in its YAML text, and reachability.

A part of the document "reaches" everything inside it and, through each `$ref`, everything inside
the referenced part, transitively: that is how a change to a shared component is known to affect
requests, responses or both.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import yaml

from contract_tests.api.document import escape_pointer

# libyaml's loader when PyYAML has it: several times faster on a spec of this size.
YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Keywords that only document: editing them changes no request or response.
DOCUMENTATION_KEYWORDS = frozenset(
    {"description", "summary", "title", "example", "examples", "externalDocs", "$comment"}
)
REQUEST = "request"
RESPONSE = "response"
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def segments(pointer: str) -> list[str]:
    """The unescaped reference tokens of a pointer ("" is the whole document)."""
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]


def parent(pointer: str) -> str:
    return pointer.rsplit("/", 1)[0]


def is_within(pointer: str, prefix: str) -> bool:
    return pointer == prefix or pointer.startswith(prefix + "/")


def resolve(document: Any, pointer: str) -> Any:
    """The value at `pointer`, or None when there is none."""
    node = document
    for part in segments(pointer):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def reached_from(document: dict[str, Any], pointer: str) -> set[str]:
    """The pointers whose subtrees `pointer` reaches: itself and every `$ref` target, transitively."""
    reached: set[str] = set()
    pending = [pointer]
    while pending:
        current = pending.pop()
        if current in reached:
            continue
        reached.add(current)
        pending.extend(_local_refs(resolve(document, current)))
    return reached


def usages(document: dict[str, Any]) -> dict[str, set[str]]:
    """For REQUEST and RESPONSE, the pointers whose subtrees requests or responses use."""
    request: set[str] = set()
    response: set[str] = set()
    for path, item in (document.get("paths") or {}).items():
        item_pointer = f"/paths/{escape_pointer(path)}"
        request |= reached_from(document, f"{item_pointer}/parameters")
        for method in _HTTP_METHODS:
            if isinstance(item, dict) and method in item:
                operation = f"{item_pointer}/{method}"
                request |= reached_from(document, f"{operation}/parameters")
                request |= reached_from(document, f"{operation}/requestBody")
                response |= reached_from(document, f"{operation}/responses")
    return {REQUEST: request, RESPONSE: response}


def contexts(pointer: str, *usage_maps: dict[str, set[str]]) -> frozenset[str]:
    """REQUEST and/or RESPONSE: where the part at `pointer` is used, in any of the documents."""
    return frozenset(
        context
        for usage in usage_maps
        for context, prefixes in usage.items()
        if any(is_within(pointer, prefix) for prefix in prefixes)
    )


def pointer_at(text: str, line: int | None, column: int | None) -> str | None:
    """The pointer of the mapping key at a 1-based line and column of a YAML text, if one starts there."""
    if line is None or column is None:
        return None
    return _key_positions(text).get((line, column))


@functools.lru_cache(maxsize=16)
def _key_positions(text: str) -> dict[tuple[int, int], str]:
    """The pointer of every mapping key of a YAML text, by its 1-based line and column."""
    try:
        root = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.YAMLError:
        return {}
    positions: dict[tuple[int, int], str] = {}
    pending: list[tuple[yaml.Node, str]] = [(root, "")] if root is not None else []
    while pending:
        node, pointer = pending.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{pointer}/{escape_pointer(str(key.value))}"
                positions[(key.start_mark.line + 1, key.start_mark.column + 1)] = child
                pending.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            pending.extend((item, f"{pointer}/{index}") for index, item in enumerate(node.value))
    return positions


def _local_refs(node: Any) -> list[str]:
    """The pointers of the `#/...` references anywhere inside `node`."""
    found: list[str] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                found.append(ref[1:])
            pending.extend(current.values())
        elif isinstance(current, list):
            pending.extend(current)
    return found


def meaning(document: Any, schema: Any) -> str:
    """What a schema accepts, as text to compare: its chain of `$ref`s followed (the name it has does
    not matter) and what only annotates left out (documentation, `default`, `x-` extensions)."""
    seen: set[str] = set()
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and schema["$ref"] not in seen:
        seen.add(schema["$ref"])
        target = resolve(document, schema["$ref"][1:]) if schema["$ref"].startswith("#") else None
        if target is None:
            break
        schema = target
    return json.dumps(unannotated(schema), sort_keys=True, default=str)


_ANNOTATIONS = DOCUMENTATION_KEYWORDS | {"default", "deprecated"}


def unannotated(node: Any, names: bool = False) -> Any:
    """`node` without the keywords that only annotate a schema: documentation, `default`, `deprecated`
    and `x-` extensions (`names`: the keys of `node` are names, as in `properties`, and all stay)."""
    if isinstance(node, dict):
        return {
            key: unannotated(value, names=not names and key == "properties")
            for key, value in node.items()
            if names or not (key in _ANNOTATIONS or str(key).startswith("x-"))
        }
    if isinstance(node, list):
        return [unannotated(item) for item in node]
    return node
