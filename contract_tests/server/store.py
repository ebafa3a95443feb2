"""Where the reference server keeps the resources it created: in memory, or in a SQLite file.

Objects are kept per collection (a collection path with its parent's ids filled in) and by id, in the
order they were created, which is the order lists page through. The memory store keeps at most
`MEMORY_CAP` objects in all, dropping the oldest first, so that a long load or abuse run cannot grow it
without bound; the SQLite store (`--state PATH`) keeps everything, survives a restart and is shared by
every worker that opens the same file.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

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


def open_store(state: Path | str | None) -> Store:
    """The SQLite store at `state`, else a memory store."""
    if state is None:
        return MemoryStore()
    try:
        return SqliteStore(state)
    except sqlite3.Error as exc:
        raise ValueError(f"cannot open the state file {state}: {exc}") from None
