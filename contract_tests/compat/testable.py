"""The operations of a spec that cannot be compared: those the ground floor finds a flaw in.

Published specs have flaws (contract_tests.api.flaws): a schema that requires a property its own
`additionalProperties: false` forbids, a `$ref` to nothing, a keyword of the wrong type. The ground
floor says which operations a flaw leaves untestable, naming its JSON pointer; a flaw confined to
some operations never refuses the comparison. Those operations are left out of what Specmatic is
shown (it would fail on them, or judge a schema no value satisfies), and a change that only they
reach is reported "not testable" with the ground floor's reason. A document is refused only when it
is not OpenAPI at all: its `paths` not an object, or not one of its operations testable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract_tests.api.document import METHODS, SpecError, pointer_of
from contract_tests.api.flaws import find_flaws, reach
from contract_tests.api.model import build_api
from contract_tests.compat.diff import ABSENT, Change


@dataclass(frozen=True)
class Untestable:
    """An operation of one document that cannot be compared, and why."""

    pointer: str  # of the operation: /paths/~1threads~1runs/post
    label: str  # createThreadAndRun (POST /threads/runs)
    reason: str  # the ground floor's: the flaw's JSON pointer and what is wrong there
    origin: str  # the document it is untestable in


def untestable(document: dict[str, Any], origin: str) -> dict[str, Untestable]:
    """The operations of `document` that cannot be compared, by pointer; SpecError when none can."""
    paths = document.get("paths")
    if paths is not None and not isinstance(paths, dict):
        flaw = next((flaw for flaw in find_flaws(document, document) if flaw.pointer == "/paths"), None)
        said = re.sub(r"^not valid OpenAPI [\d.]+: ", "", flaw.message) if flaw else "not an object"
        raise SpecError(f"{origin} is not valid OpenAPI: /paths: {said}")
    declared = dict(operations(document))
    if not declared:
        return {}
    try:
        api = build_api(document, Path(origin))
    except SpecError:
        raise  # no operation can be read at all: the ground floor says which and why, in one line
    except Exception as exc:  # the model's own failure on an odd document: one line, not a traceback
        said = " ".join(str(exc).split())[:200]
        raise SpecError(f"{origin} cannot be read as OpenAPI: {type(exc).__name__}: {said}") from exc
    # The ground floor names an operation by its operationId, else by its method and path, and a path
    # item it could not read by its path.
    named: dict[str, list[tuple[str, str]]] = {}
    for pointer, (path, method, operation_id) in declared.items():
        label = _label(operation_id, method, path)
        for key in filter(None, (operation_id, f"{method.upper()} {path}")):
            named.setdefault(key, [(pointer, label)])
        named.setdefault(path, []).append((pointer, label))
    for op in api.operations:
        named[op.operation_id] = [(pointer_of("paths", op.path, op.method.lower()), op.label)]
    found = {}
    for key, reason in api.untestable.items():
        for pointer, label in named.get(key, []):
            found[pointer] = Untestable(pointer, label, reason, origin)
    if found and len(found) >= len(declared):
        first = next(iter(found.values()))
        said = f"{first.label}: {first.reason}"
        raise SpecError(f"{origin} cannot be compared: none of its operations can be tested ({said})")
    return found


def operations(document: dict[str, Any]) -> Iterable[tuple[str, tuple[str, str, str]]]:
    """(pointer, (path, method, operationId or "")) of every operation the document declares."""
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            if isinstance(item.get(method), dict):
                operation_id = item[method].get("operationId")
                yield pointer_of("paths", str(path), method), (str(path), method, str(operation_id or ""))


def only_untestable_reach(
    changes: Sequence[Change], documents: Sequence[dict[str, Any]], flawed: dict[str, Untestable]
) -> dict[int, tuple[Untestable, ...]]:
    """The changes (by index) that no operation reaches but untestable ones, each with those.

    An operation reaches its own node, its path item's parameters and their `$ref` targets,
    transitively (the ground floor's `reach`). An operation added or removed as a whole is judged all
    the same: its presence is no value of a schema that a flaw could spoil.
    """
    if not flawed:
        return {}
    reaching: dict[str, set[str]] = {}  # place -> the operations (by pointer) that reach it
    for document in documents:
        for operation, _ in operations(document):
            for place in reach(document, operation):
                reaching.setdefault(place, set()).add(operation)
    found = {}
    for index, change in enumerate(changes):
        if change.is_documentation or _is_whole_operation(change):
            continue
        # The change's own place: the parts folded into it exist only for it.
        reached = {
            operation for prefix in _prefixes(change.pointer) for operation in reaching.get(prefix, ())
        }
        if reached and reached <= flawed.keys():
            found[index] = tuple(flawed[operation] for operation in sorted(reached))
    return found


def _is_whole_operation(change: Change) -> bool:
    """A path or an operation added or removed."""
    parts = change.pointer.split("/")[1:]
    whole = change.old is ABSENT or change.new is ABSENT
    return whole and parts[:1] == ["paths"] and len(parts) in (2, 3)


def _prefixes(pointer: str) -> list[str]:
    """The pointer and each of its ancestors."""
    parts = pointer.split("/")
    return ["/".join(parts[:length]) for length in range(1, len(parts) + 1)]


def without(document: dict[str, Any], pointers: Iterable[str]) -> dict[str, Any]:
    """A copy of `document` without the operations at `pointers` (a path left with none goes too)."""
    removed: dict[str, set[str]] = {}
    for pointer in pointers:
        _, _, path, method = pointer.split("/", 3)
        removed.setdefault(path.replace("~1", "/").replace("~0", "~"), set()).add(method)
    if not removed:
        return document
    paths = {}
    for path, item in (document.get("paths") or {}).items():
        gone = removed.get(str(path), set())
        if not gone or not isinstance(item, dict):
            paths[path] = item
            continue
        kept = {key: value for key, value in item.items() if key not in gone}
        if any(method in kept for method in METHODS):
            paths[path] = kept
    return {**document, "paths": paths}


def _label(operation_id: str, method: str, path: str) -> str:
    where = f"{method.upper()} {path}"
    return f"{operation_id} ({where})" if operation_id else where
