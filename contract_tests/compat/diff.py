"""The structural difference of two OpenAPI documents: one Change per edit, located by JSON pointer.

The diff knows one thing about schemas: a property and its entry in `required` are one field, so
adding, removing or (un)requiring a field is one change at ``.../properties/<name>``. Everything
else is compared key by key; lists of scalars (`enum`, `type`, `required`) compare as a whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from contract_tests.compat.document import segments
from contract_tests.spec import escape_pointer

# Keywords that only document: editing them changes no request or response.
DOCUMENTATION_KEYWORDS = frozenset(
    {"description", "summary", "title", "example", "examples", "externalDocs", "$comment"}
)


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()  # the old value of an addition, the new value of a removal


@dataclass(frozen=True)
class Change:
    pointer: str  # where, in the newer document (in the older one for a removal)
    old: Any
    new: Any
    field_required: bool | None = None  # for a field (a schema property): required in the newer spec

    @property
    def is_field(self) -> bool:
        return self.field_required is not None

    @property
    def is_documentation(self) -> bool:
        """True for an edit of a description, summary, example or the like, which no code sees."""
        parts = segments(self.pointer)
        if parts and parts[0] in ("info", "tags"):
            return True
        return any(
            part in DOCUMENTATION_KEYWORDS and (index == 0 or parts[index - 1] != "properties")
            for index, part in enumerate(parts)
        )

    def summary(self) -> str:
        """What changed, in a few words."""
        if self.is_field:
            requirement = "required" if self.field_required else "optional"
            if self.new is ABSENT:
                return "field removed"
            return f"field added ({requirement})" if self.old is ABSENT else f"field now {requirement}"
        if self.old is ABSENT or self.new is ABSENT:
            return f"added: {_short(self.new)}" if self.old is ABSENT else f"removed: {_short(self.old)}"
        if (
            segments(self.pointer)[-1:] == ["enum"]
            and isinstance(self.old, list)
            and isinstance(self.new, list)
        ):
            added = [f"+{_short(value)}" for value in self.new if value not in self.old]
            return ", ".join([*added, *(f"-{_short(value)}" for value in self.old if value not in self.new)])
        if isinstance(self.old, str) and isinstance(self.new, str) and max(len(self.old), len(self.new)) > 30:
            return "text edited"
        return f"{_short(self.old)} -> {_short(self.new)}"


def diff(older: Any, newer: Any) -> list[Change]:
    """Every change from `older` to `newer`, in document order."""
    changes: list[Change] = []
    _walk(older, newer, "", changes)
    return changes


def _walk(old: Any, new: Any, pointer: str, changes: list[Change]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        fields_compared = _is_object_schema(old) or _is_object_schema(new)
        if fields_compared:
            _walk_fields(old, new, pointer, changes)
        for key in [*new, *(key for key in old if key not in new)]:
            if fields_compared and key in ("properties", "required"):
                continue
            child = f"{pointer}/{escape_pointer(str(key))}"
            if key not in old:
                changes.append(Change(child, ABSENT, new[key]))
            elif key not in new:
                changes.append(Change(child, old[key], ABSENT))
            else:
                _walk(old[key], new[key], child, changes)
    elif _is_list_of_containers(old) and _is_list_of_containers(new) and len(old) == len(new):
        for index, (old_item, new_item) in enumerate(zip(old, new, strict=True)):
            _walk(old_item, new_item, f"{pointer}/{index}", changes)
    elif not (_is_list_of_scalars(old) and _is_list_of_scalars(new) and set(old) == set(new)):
        changes.append(Change(pointer, old, new))  # reordering a list of scalars changes nothing


def _walk_fields(old: dict[str, Any], new: dict[str, Any], pointer: str, changes: list[Change]) -> None:
    """Compare the fields (properties and their `required` entries) of two object schemas."""
    old_fields, new_fields = _fields(old), _fields(new)
    for name in [*new_fields, *(name for name in old_fields if name not in new_fields)]:
        child = f"{pointer}/properties/{escape_pointer(name)}"
        old_field, old_required = old_fields.get(name, (ABSENT, False))
        new_field, new_required = new_fields.get(name, (ABSENT, False))
        if old_field is ABSENT or new_field is ABSENT:
            changes.append(Change(child, old_field, new_field, field_required=new_required))
            continue
        if old_required != new_required:
            changes.append(Change(child, old_field, new_field, field_required=new_required))
        _walk(old_field, new_field, child, changes)


def _fields(schema: dict[str, Any]) -> dict[str, tuple[Any, bool]]:
    """Each field name: its schema (ABSENT for a name only in `required`) and whether it is required."""
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    required = schema.get("required")
    required = required if isinstance(required, list) else []
    names = [*properties, *(name for name in required if name not in properties)]
    return {name: (properties.get(name, {}), name in required) for name in names}


def _is_object_schema(node: dict[str, Any]) -> bool:
    return isinstance(node.get("properties"), dict) or isinstance(node.get("required"), list)


def _is_list_of_containers(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(item, dict | list) for item in value)


def _is_list_of_scalars(value: Any) -> bool:
    return isinstance(value, list) and not _is_list_of_containers(value)


def _short(value: Any, limit: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, _Absent) else "-"
    return text if len(text) <= limit else text[: limit - 3] + "..."
