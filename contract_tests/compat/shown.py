"""What Specmatic is shown of a document: one canonical text of it, without what it cannot judge.

* One text whatever the formatting of the file: block-style YAML in the document's own key order,
  without anchors. Specmatic does not recognize every formatting (it skips a spec written in YAML's
  flow style), and its lines and columns are then read in this text too.
* Without the operations that a flaw of either document makes untestable (contract_tests.compat
  .testable): Specmatic would fail on them, or judge a schema that no value satisfies.
* A part of a multipart body written as a `$ref` to a scalar schema is written in place: Specmatic takes
  such a part for a file (`application/octet-stream`) where OpenAPI sends a scalar as `text/plain`,
  and reports a schema moved to a component as a change of content type.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import yaml

from contract_tests.api.document import METHODS, escape_pointer
from contract_tests.compat.document import resolve, segments
from contract_tests.compat.testable import without

_SCALARS = frozenset({"string", "number", "integer", "boolean"})


def specmatic_text(document: dict[str, Any], left_out: tuple[str, ...] = ()) -> str:
    """The text of `document` that Specmatic is given, without the operations at `left_out`."""
    return canonical_text(_parts_in_place(without(document, left_out)))


def canonical_text(document: dict[str, Any]) -> str:
    """The one text of a document, whatever the formatting of the file it was read from."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _parts_in_place(document: dict[str, Any]) -> dict[str, Any]:
    """`document`, each multipart part that is a `$ref` to a scalar schema written in place (a copy)."""
    replaced = dict(_scalar_parts(document))
    if not replaced:
        return document
    copied = copy.deepcopy(document)
    for pointer, schema in replaced.items():
        *parents, last = segments(pointer)
        node: Any = copied
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = copy.deepcopy(schema)
    return copied


def _scalar_parts(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, target) of each property of a multipart body's schema that is a `$ref` to a scalar."""
    seen: set[str] = set()
    for path, item in (document.get("paths") or {}).items():
        for method in METHODS if isinstance(item, dict) else ():
            body = f"/paths/{escape_pointer(str(path))}/{method}/requestBody"
            content = resolve(document, f"{_target(document, body)}/content")
            for media in content if isinstance(content, dict) else {}:
                if not str(media).startswith("multipart/"):
                    continue
                schema = _target(
                    document, f"{_target(document, body)}/content/{escape_pointer(media)}/schema"
                )
                properties = resolve(document, f"{schema}/properties")
                for name in properties if isinstance(properties, dict) else {}:
                    part = f"{schema}/properties/{escape_pointer(str(name))}"
                    target = resolve(document, _target(document, part))
                    is_ref = part != _target(document, part)
                    if (
                        is_ref
                        and part not in seen
                        and isinstance(target, dict)
                        and target.get("type") in _SCALARS
                    ):
                        seen.add(part)
                        yield part, target


def _target(document: dict[str, Any], pointer: str) -> str:
    """Where the chain of `$ref`s from `pointer` ends."""
    seen: set[str] = set()
    node = resolve(document, pointer)
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        if node["$ref"] in seen:
            break
        seen.add(node["$ref"])
        pointer = node["$ref"][1:]
        node = resolve(document, pointer)
    return pointer
