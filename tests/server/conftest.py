from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

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
