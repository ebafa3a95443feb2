"""Validators that resolve the spec's `$ref`s once, at start-up, rather than on every request.

jsonschema looks every `$ref` up again on each validation, which was most of a request's time. When
all `$ref`s under a schema are local, acyclic and have only annotations beside them, the schema is
inlined: the same keywords apply in the same order, so verdicts and error messages are unchanged.
Any other schema keeps the resolving validator of contract_tests.spec.
"""

from __future__ import annotations

from typing import Any

import jsonschema

from contract_tests.spec import SpecValidator, validator_for

# Beside a `$ref`, these only annotate: dropping them with the `$ref` changes no verdict.
_ANNOTATIONS = frozenset(
    {"description", "default", "examples", "example", "title", "deprecated", "readOnly", "writeOnly"}
)
# Values that are data, not schemas: copied as they are.
_DATA = frozenset({"enum", "const", "default", "examples", "example"})
# Keywords that give a subschema its own base URI or dynamic scope: inlining could change their meaning.
_SCOPED = frozenset({"$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$schema"})


class _NotInlinable(Exception):
    pass


def _target(document: Any, pointer: str) -> Any:
    node = document
    for part in pointer.split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def _inline(document: dict[str, Any], node: Any, refs: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline(document, item, refs) for item in node]
    if not isinstance(node, dict):
        return node
    if _SCOPED & node.keys():
        raise _NotInlinable
    ref = node.get("$ref")
    if ref is not None:
        if not isinstance(ref, str) or not ref.startswith("#/") or ref in refs:
            raise _NotInlinable
        if node.keys() - {"$ref"} - _ANNOTATIONS:
            raise _NotInlinable
        return _inline(document, _target(document, ref[1:]), (*refs, ref))
    return {key: value if key in _DATA else _inline(document, value, refs) for key, value in node.items()}


def inlined_validator(pointer: str, document: dict[str, Any]) -> jsonschema.Validator:
    """Like `validator_for(pointer, document)`, with the `$ref`s resolved once when that is safe."""
    try:
        schema = _inline(document, _target(document, pointer), ())
    except (_NotInlinable, LookupError, ValueError, TypeError):
        return validator_for(pointer, document)
    validator: jsonschema.Validator = SpecValidator(schema)
    return validator
