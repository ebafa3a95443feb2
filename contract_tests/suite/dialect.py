"""Spotting request bodies whose validity depends on the regex dialect.

The spec's patterns are ECMA-262 regexes (contract_tests.api.document validates them so), but schemathesis
generates and judges strings with Python's `re`, where `$` also matches before a final newline. A body
valid only under Python's reading would be sent as valid and rightly rejected by a conforming server,
a false alarm: the suite sends none of them.
"""

from __future__ import annotations

from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from contract_tests.api.validators import validator_for

_DOCUMENT_URI = "urn:assistants-contract:python-dialect"


class DialectSplit:
    """Compares the spec's (ECMA-262) verdict on a body with the verdict under Python's `re`."""

    def __init__(self, pointer: str, document: dict[str, Any]) -> None:
        registry: Registry[Any] = Registry().with_resource(
            _DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT202012)
        )
        self.python = jsonschema.Draft202012Validator(
            {"$ref": f"{_DOCUMENT_URI}#{pointer}"}, registry=registry
        )
        self.spec = validator_for(pointer, document)

    def disagree(self, body: Any) -> bool:
        """True when the two dialects disagree about whether `body` is valid."""
        return bool(self.python.is_valid(body) != self.spec.is_valid(body))
