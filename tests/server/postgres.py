"""A fresh PostgreSQL database for each test that asks for one (`postgres_url`), on the server named by
$CONTRACT_TEST_POSTGRES_URL (a URL whose user may create databases), dropped when the test ends.

`.ci/run` starts a server of its own and sets the variable (`.ci/postgres start`). Without it, these tests
are skipped and say why; under CI they fail instead, since `.ci/run` must have set it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

POSTGRES_VARIABLE = "CONTRACT_TEST_POSTGRES_URL"


def server_url() -> str:
    """The URL of the test server, else the test is skipped (failed under CI), saying why."""
    url = os.environ.get(POSTGRES_VARIABLE, "")
    if not url:
        reason = f"${POSTGRES_VARIABLE} is not set: no PostgreSQL server to test on (.ci/run starts one)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; under CI it must be set")
        pytest.skip(reason)
    return url


def with_database(url: str, name: str) -> str:
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def password_of(url: str) -> str:
    return urlsplit(url).password or ""


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a database made for this test alone."""
    server = server_url()
    name = f"contract_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            # FORCE: a replica the test killed may have left its connection behind.
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
