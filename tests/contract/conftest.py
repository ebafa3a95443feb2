"""Fixtures of the contract-suite tests: servers in threads on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from tests.edits.resource import write_grown

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
    path = tmp_path_factory.mktemp("resource") / "openapi.yaml"
    write_grown(path, links=True)
    return path
