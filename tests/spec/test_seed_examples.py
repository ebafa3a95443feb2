"""The two examples of the user's description of the API validate against the spec's schemas."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from contract_tests.api.document import REPO_ROOT
from tests import spec_facts as facts

SEED_COPY = REPO_ROOT / "spec" / "seed" / "create-assistant-v1.txt"
SHARED_SEED = REPO_ROOT.parent / "shared" / "seed" / "create-assistant-v1.txt"


def seed_examples(text: str) -> list[dict[str, Any]]:
    """The JSON objects that follow each 'Example' line of the seed, in order."""
    decoder = json.JSONDecoder()
    found = []
    lines = text.splitlines(keepends=True)
    offset = 0
    for line in lines:
        offset += len(line)
        if line.strip() == "Example":
            value, _ = decoder.raw_decode(text, offset)
            found.append(value)
    return found


def test_the_committed_seed_is_the_shared_one() -> None:
    if not SHARED_SEED.exists():
        pytest.skip(f"{SHARED_SEED} is not beside this checkout")
    assert SEED_COPY.read_text(encoding="utf-8") == SHARED_SEED.read_text(encoding="utf-8")


def test_seed_has_a_request_and_a_response_example() -> None:
    request, response = seed_examples(SEED_COPY.read_text(encoding="utf-8"))
    assert request["name"] == "Math Tutor"
    assert response["object"] == "assistant"


def test_seed_request_example_is_a_valid_request() -> None:
    request, _ = seed_examples(SEED_COPY.read_text(encoding="utf-8"))
    facts.seed().values.validator(facts.request_pointer()).validate(request)


def test_seed_response_example_is_a_valid_response() -> None:
    _, response = seed_examples(SEED_COPY.read_text(encoding="utf-8"))
    facts.seed().values.validator(facts.response_pointer()).validate(response)


def test_the_schemas_reject_what_the_seed_forbids() -> None:
    request, response = seed_examples(SEED_COPY.read_text(encoding="utf-8"))
    request_validator = facts.seed().values.validator(facts.request_pointer())
    assert not request_validator.is_valid({**request, "name": "x" * 257})
    assert not request_validator.is_valid({**request, "tools": [{"type": "code_interpreter"}] * 129})
    assert not request_validator.is_valid({k: v for k, v in request.items() if k != "model"})
    assert (
        not facts.seed().values.validator(facts.response_pointer()).is_valid({**response, "object": "thread"})
    )


def test_seed_paths_are_files() -> None:
    assert Path(SEED_COPY).is_file()


def _seed_fields(text: str) -> dict[str, str]:
    """Each body parameter of the seed's request and the lines that describe it (up to the next one)."""
    body = text.split("Body Params", 1)[1].split("Example", 1)[0]
    lines = body.splitlines()[1:]
    fields: dict[str, str] = {}
    name = None
    for index, line in enumerate(lines):
        kind = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if (
            line.strip()
            and " " not in line.strip()
            and kind.split(" ")[0] in ("string", "array", "integer", "object")
        ):
            name = line.strip()
            fields[name] = ""
        elif name is not None:
            fields[name] += " " + line.strip()
    return fields


def test_the_spec_keeps_the_seeds_limits() -> None:
    """The seed's own numbers (a name of at most 256 characters, at most 128 tools...): an edit of the spec
    that contradicts the seed fails here, and only here, naming the seed's statement."""
    fields = _seed_fields(SEED_COPY.read_text(encoding="utf-8"))
    operation = facts.seed()
    request = operation.values.properties(operation.request_schema_pointer or "")
    checked = 0
    for name, text in fields.items():
        match = re.search(r"maximum (?:length is|of) ([\d,]+)", text)
        if match is None:
            continue
        limit = int(match.group(1).replace(",", ""))
        assert name in request, f"the seed's {name!r} is not a field of the spec's request"
        schema = operation.values.schema(request[name])
        stated = schema.get("maxLength", schema.get("maxItems"))
        assert stated == limit, f"the seed says of {name!r}: {text.strip()!r}; the spec says {stated}"
        checked += 1
    assert checked >= 3, f"the seed's limits were not found: {fields}"


def test_the_spec_keeps_the_seeds_required_fields() -> None:
    fields = _seed_fields(SEED_COPY.read_text(encoding="utf-8"))
    required = set(facts.seed().request_schema.get("required", []))
    for name, text in fields.items():
        if " required " in f"{text} ":
            assert name in required, f"the seed marks {name!r} required; the spec does not"
