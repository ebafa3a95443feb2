"""The store on a PostgreSQL server (`--state postgresql://user:password@host/db`): one store of objects for
every replica of the reference server or the mock that names the same database, on any machine.

One table, made if missing. A row is numbered by an identity column when its object is first written, so
creation order (the order lists page in) is the database's, the same seen from every replica, and an
update keeps an object's place. Each statement commits on its own (autocommit): a write is committed
before the server answers. A process holds one connection, behind a lock (a worker answers one request
at a time); a connection the database dropped (a restart, an idle timeout) is opened again and the
statement run once more.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from contract_tests.server.store import state_error

TABLE = "contract_objects"
CONNECT_SECONDS = 10  # where the URL sets no connect_timeout: an unreachable host fails, it does not hang
# Serialises the creation of the table: two replicas starting at once would both try to create it.
_SCHEMA_LOCK = 0x636F6E7472616374  # "contract"
_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " collection text NOT NULL, key text NOT NULL, value text NOT NULL, UNIQUE (collection, key))",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_in_order ON {TABLE} (collection, seq)",
)

T = TypeVar("T")


class PostgresStore:
    """A store in a PostgreSQL table, shared by every process that opens the same database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.Lock()
        try:
            self._db = self._connect()
            with self._db.transaction():
                self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                for statement in _SCHEMA:
                    self._db.execute(statement)
        except psycopg.Error as exc:
            raise state_error(url, str(exc)) from None

    def _connect(self) -> psycopg.Connection[Any]:
        conninfo = self.url
        if "connect_timeout" not in conninfo_to_dict(conninfo):
            conninfo = make_conninfo(conninfo, connect_timeout=CONNECT_SECONDS)
        return psycopg.connect(conninfo, autocommit=True)

    def _run(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        with self._lock:
            if self._db.closed:
                self._db = self._connect()
            try:
                return work(self._db)
            except psycopg.OperationalError:
                if not self._db.broken:
                    raise
            # Whether the statement reached the database is unknown: each one here can be run again
            # (a delete then says the object was not there, as a second delete would).
            self._db = self._connect()
            return work(self._db)

    def put(self, collection: str, key: str, value: Any) -> None:
        text = json.dumps(value)
        self._run(
            lambda db: db.execute(
                f"INSERT INTO {TABLE} (collection, key, value) VALUES (%s, %s, %s)"
                " ON CONFLICT (collection, key) DO UPDATE SET value = EXCLUDED.value",
                (collection, key, text),
            )
        )

    def get(self, collection: str, key: str) -> Any | None:
        row = self._run(
            lambda db: db.execute(
                f"SELECT value FROM {TABLE} WHERE collection = %s AND key = %s", (collection, key)
            ).fetchone()
        )
        return None if row is None else json.loads(row[0])

    def delete(self, collection: str, key: str) -> bool:
        count = self._run(
            lambda db: (
                db.execute(
                    f"DELETE FROM {TABLE} WHERE collection = %s AND key = %s", (collection, key)
                ).rowcount
            )
        )
        return count > 0

    def items(self, collection: str) -> list[tuple[str, Any]]:
        rows = self._run(
            lambda db: db.execute(
                f"SELECT key, value FROM {TABLE} WHERE collection = %s ORDER BY seq", (collection,)
            ).fetchall()
        )
        return [(key, json.loads(value)) for key, value in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
