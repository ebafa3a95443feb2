"""Fixtures of the client-side tests: the spec grown into a whole resource."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from contract_tests.api.document import load_spec
from contract_tests.api.model import load_api
from tests.edits.resource import write_grown

# A fresh PostgreSQL database per test that asks for one (tests/server/postgres.py).
from tests.server.postgres import postgres_url

__all__ = ["based_spec", "postgres_url", "resource_spec"]


@pytest.fixture(scope="session")
def resource_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The spec grown into a whole resource (create, retrieve, update, list, delete), with links."""
    path = tmp_path_factory.mktemp("resource") / "openapi.yaml"
    write_grown(path, links=True)
    return path


@pytest.fixture(scope="session")
def based_spec(resource_spec: Path) -> Path:
    """The resource spec with its version segment moved from its paths into its servers' URL (`/v1`), as
    OpenAI's published spec has it: the base path a mock serves under, beside the root."""
    document = load_spec(resource_spec)
    api = load_api(resource_spec)
    heads = {op.path.split("/")[1] for op in api.operations}
    assert len(heads) == 1, f"the paths do not share a first segment: {sorted(heads)}"
    (head,) = heads
    document["servers"] = [{"url": f"{document['servers'][0]['url'].rstrip('/')}/{head}"}]
    document["paths"] = {str(path).removeprefix(f"/{head}"): item for path, item in document["paths"].items()}
    path = resource_spec.parent / "based.yaml"
    text = yaml.safe_dump(document, sort_keys=False)
    assert f"~1{head}~1" not in text, "a pointer names a path by its old name"
    path.write_text(text, encoding="utf-8")
    return path
