"""Where the reference server keeps the resources it created: in memory, in a SQLite file, or in a
PostgreSQL database (server/postgres.py).

Objects are kept per collection (a collection path with its parent's ids filled in) and by id, in the
order they were created, which is the order lists page through. The memory store keeps at most
`MEMORY_CAP` objects in all, dropping the oldest first, so that a long load or abuse run cannot grow it
without bound, and is one process's own; the SQLite store (`--state PATH`) keeps everything, survives a
restart and is shared by every process on the machine that opens the same file; the PostgreSQL store
(`--state postgresql://...`) is shared by processes on any machine.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote

from contract_tests.masking import MASK, Masker

MEMORY_CAP = 10_000  # objects the memory store keeps, all collections together


class Store(Protocol):
    def put(self, collection: str, key: str, value: Any) -> None:
        """Keep `value` as `key` of `collection`: a new key goes last, a known one keeps its place."""

    def get(self, collection: str, key: str) -> Any | None: ...

    def delete(self, collection: str, key: str) -> bool:
        """Forget `key`; whether it was there."""

    def items(self, collection: str) -> list[tuple[str, Any]]:
        """Every (key, value) of `collection`, oldest first."""


class MemoryStore:
    """A bounded store in this process's memory (one worker's)."""

    def __init__(self, cap: int = MEMORY_CAP) -> None:
        self.cap = cap
        self._objects: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, collection: str, key: str, value: Any) -> None:
        with self._lock:
            self._objects[(collection, key)] = json.dumps(value)
            while len(self._objects) > self.cap:
                self._objects.popitem(last=False)

    def get(self, collection: str, key: str) -> Any | None:
        with self._lock:
            found = self._objects.get((collection, key))
        return None if found is None else json.loads(found)

    def delete(self, collection: str, key: str) -> bool:
        with self._lock:
            return self._objects.pop((collection, key), None) is not None

    def items(self, collection: str) -> list[tuple[str, Any]]:
        with self._lock:
            found = [(key, text) for (owner, key), text in self._objects.items() if owner == collection]
        return [(key, json.loads(text)) for key, text in found]


class SqliteStore:
    """A store in a SQLite file: kept across restarts, shared by the processes that open it."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # Each write is committed to the file before the answer: it survives the process being killed (only
        # a crash of the machine itself could lose the last ones, which a full sync per write would cost).
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS objects (seq INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT"
            " NULL, key TEXT NOT NULL, value TEXT NOT NULL, UNIQUE (collection, key))"
        )

    def put(self, collection: str, key: str, value: Any) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO objects (collection, key, value) VALUES (?, ?, ?) ON CONFLICT (collection, key)"
                " DO UPDATE SET value = excluded.value",
                (collection, key, json.dumps(value)),
            )

    def get(self, collection: str, key: str) -> Any | None:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM objects WHERE collection = ? AND key = ?", (collection, key)
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def delete(self, collection: str, key: str) -> bool:
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM objects WHERE collection = ? AND key = ?", (collection, key)
            )
        return cursor.rowcount > 0

    def items(self, collection: str) -> list[tuple[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key, value FROM objects WHERE collection = ? ORDER BY seq", (collection,)
            ).fetchall()
        return [(key, json.loads(value)) for key, value in rows]

    def close(self) -> None:
        self._db.close()


POSTGRES_SCHEMES = ("postgresql://", "postgres://")
# The password of a URL's user (`postgresql://user:password@host`), up to the last @ before the path.
_PASSWORD = re.compile(r"(?P<before>://[^/?#@:]*:)(?P<password>[^/?#]*)@")
_PASSWORD_PARAMETER = re.compile(r"(?P<before>[?&]password=)(?P<password>[^&#]*)", re.IGNORECASE)
_PATTERNS = (_PASSWORD, _PASSWORD_PARAMETER)


def is_postgres(state: Path | str | None) -> bool:
    return isinstance(state, str) and state.lower().startswith(POSTGRES_SCHEMES)


def _passwords(text: str) -> list[str]:
    found = [match["password"] for pattern in _PATTERNS for match in pattern.finditer(text)]
    return [shape for secret in found if secret for shape in (secret, unquote(secret))]


def shown(state: Path | str) -> str:
    """`state` as it may be printed: a URL's password as `***`."""
    text = str(state)
    for pattern in _PATTERNS:
        text = pattern.sub(
            lambda match: match["before"] + MASK + match.group(0)[match.end("password") - match.start() :],
            text,
        )
    return text


def state_error(state: Path | str, reason: str) -> ValueError:
    """`cannot open the state at ...: reason`, in one line, with the state's password masked in both."""
    mask = Masker(*_passwords(str(state)))
    return ValueError(f"cannot open the state at {shown(state)}: {mask(' '.join(reason.split()))}")


def open_store(state: Path | str | None) -> Store:
    """The store `state` names: a PostgreSQL URL, else a SQLite file; None: a memory store. ValueError,
    in one line, when it cannot be opened."""
    if state is None:
        return MemoryStore()
    if is_postgres(state):
        from contract_tests.server.postgres import PostgresStore  # noqa: PLC0415 (psycopg only when asked)

        return PostgresStore(str(state))
    try:
        return SqliteStore(state)
    except sqlite3.Error as exc:
        raise state_error(state, str(exc)) from None


def close_store(store: Store) -> None:
    """Close the store's file or connection, where it has one."""
    close = getattr(store, "close", None)
    if callable(close):
        close()


def workers_error(workers: int, state: Path | str | None) -> str | None:
    """Why `--workers N` cannot run with this `--state`, if it cannot."""
    if workers < 1:
        return f"--workers must be 1 or more, not {workers}"
    if workers > 1 and state is None:
        return (
            f"--workers {workers} needs --state (a SQLite file or a postgresql:// URL): with the memory store"
            " each worker would keep objects of its own, which the others would not see"
        )
    return None
