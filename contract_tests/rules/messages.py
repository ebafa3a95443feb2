"""Where a JSON value breaks a schema, for the rules' verdicts: contract_tests.api.messages' words, with
the key masked and the length cut."""

from __future__ import annotations

from typing import Any

import jsonschema

from contract_tests.api.messages import first_error, message, pointer, show
from contract_tests.masking import Masker
from contract_tests.rules.exchange import NOT_JSON

_NO_MASK = Masker()


def schema_problem(
    validator: jsonschema.Validator, value: Any, what: str, mask: Masker = _NO_MASK
) -> str | None:
    """`at /tools/0/function/name: ...`, the first place `value` breaks the schema (descending into the
    `oneOf` branch the value is closest to, so that the message names the field at fault), or None."""
    if value is NOT_JSON:
        return f"the body is not JSON, expected {what}"
    error = first_error(validator, value)
    if error is None:
        return None
    where = mask.cut(pointer(error.absolute_path) or "/", 200)
    return f"at {where}: {mask.cut(message(error), 240, '')} (expected {what})"


__all__ = ["message", "pointer", "schema_problem", "show"]
