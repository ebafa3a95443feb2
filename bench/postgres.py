"""A database of the bench's own on the PostgreSQL server $CONTRACT_TEST_POSTGRES_URL names (a URL whose user
may create databases), for the mock's `--state postgresql://...` row: made fresh for the run, so that no
earlier run's objects weigh on it, and dropped after. Errors are one line, the password masked."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from bench.procs import BenchError

POSTGRES_VARIABLE = "CONTRACT_TEST_POSTGRES_URL"


def masked(text: str, url: str) -> str:
    """`text` with the URL's password replaced by ***."""
    password = urlsplit(url).password
    return text.replace(password, "***") if password else text


def _error(server: str, doing: str, exc: psycopg.Error) -> BenchError:
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return BenchError(masked(f"PostgreSQL at ${POSTGRES_VARIABLE}: {doing}: {first_line}", server))


def create_database(server: str) -> str:
    """The URL of a new, empty database on `server`."""
    name = f"contract_bench_{uuid.uuid4().hex[:16]}"
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=10) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise _error(server, "cannot create a database", exc) from None
    return urlsplit(server)._replace(path=f"/{name}").geturl()


def drop_database(server: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=10) as admin:
            # FORCE: a mock's worker stopped by a signal may have left its connection behind.
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise _error(server, f"cannot drop the database {name}", exc) from None
