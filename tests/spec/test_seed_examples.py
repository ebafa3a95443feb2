"""The two examples of the user's description of the API validate against the spec's schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract_tests.spec import REPO_ROOT, schema_validator

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
    schema_validator("CreateAssistantRequest").validate(request)


def test_seed_response_example_is_a_valid_response() -> None:
    _, response = seed_examples(SEED_COPY.read_text(encoding="utf-8"))
    schema_validator("AssistantObject").validate(response)


def test_the_schemas_reject_what_the_seed_forbids() -> None:
    request, response = seed_examples(SEED_COPY.read_text(encoding="utf-8"))
    request_validator = schema_validator("CreateAssistantRequest")
    assert not request_validator.is_valid({**request, "name": "x" * 257})
    assert not request_validator.is_valid({**request, "tools": [{"type": "code_interpreter"}] * 129})
    assert not request_validator.is_valid({k: v for k, v in request.items() if k != "model"})
    assert not schema_validator("AssistantObject").is_valid({**response, "object": "thread"})


def test_seed_paths_are_files() -> None:
    assert Path(SEED_COPY).is_file()
