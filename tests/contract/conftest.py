"""Fixtures of the contract-suite tests: servers in threads on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from contract_tests.api.document import SPEC_PATH, load_spec
from contract_tests.api.model import load_api
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from tests.edits.resource import grow

API_KEY = "sk-test-contract-5f2c9a"
# Few generated cases: the spec-derived cases and probes carry most of the teeth, and make test stays fast.
EXAMPLES = 10


@pytest.fixture(scope="session")
def reference_url() -> Iterator[str]:
    with serve_in_thread(create_app(api_key=API_KEY)) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def resource_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The spec grown into a whole resource (tests/edits/resource.py), with links."""
    document = load_spec(SPEC_PATH)
    grow(document, load_api(SPEC_PATH), links=True)
    path = tmp_path_factory.mktemp("resource") / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path
