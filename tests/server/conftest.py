from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from contract_tests.api.model import Api, load_api
from contract_tests.api.resources import Resource
from contract_tests.server import create_app
from tests import spec_facts as facts
from tests.server.postgres import postgres_url  # a fresh PostgreSQL database per test that asks for one

API_KEY = "sk-test-server-key"

__all__ = ["API_KEY", "client", "headers", "postgres_url"]


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(api_key=API_KEY), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {API_KEY}", **facts.seed().required_headers()}


# The project's spec grown into a resource (tests/edits/resource.py), once per module that asks for it.
@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.server.resource_client import write_grown_spec  # noqa: PLC0415 (it imports API_KEY from here)

    return write_grown_spec(tmp_path_factory.mktemp("resource"))


@pytest.fixture(scope="module")
def api(spec: Path) -> Api:
    return load_api(spec)


@pytest.fixture(scope="module")
def resource(api: Api) -> Resource:
    (found,) = api.resources
    return found
