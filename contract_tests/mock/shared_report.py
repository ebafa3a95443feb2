"""The mock's findings kept in the store its replicas share (`--state`): `GET /__contract/report` on any
replica, and the report each one prints and writes at the end, hold every replica's findings.

A replica is one process: a worker of `--workers N`, or a mock on another machine naming the same store.
It writes only rows of its own, in the collection `ROWS`: how many requests it judged, how many findings
of each kind (side, operation, rule), and its first `DETAILED` of each in full. A report adds up the rows
of its run, keeping the first `DETAILED` findings of a kind in the store's order. Nothing is read back
on the way (a replica knows its own counts), so judging a request costs one write.

A run is what replicas alive together share. Each replica keeps a record in `REPLICAS`, written again
every `BEAT_SECONDS`; one written within `STALE_SECONDS` is alive. A replica that starts while another is
alive joins the run of the oldest one alive; one that starts alone begins a new run and deletes the rows
of the runs before. So a mock run again on the same state reports its own requests only, and a replica
restarted beside others goes on reporting with them. Records are stamped with this machine's clock:
replicas on several machines need clocks within a few seconds of each other (NTP).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from contract_tests.rules.report import DETAILED, Finding, Kind, Tally
from contract_tests.server.store import Store

# Collections of the store that no spec's resource can take: below the mock's own report path.
ROWS = "/__contract/report/rows"
REPLICAS = "/__contract/report/replicas"
BEAT_SECONDS = 2.0
STALE_SECONDS = 10.0


def _alive(record: Any, now: float) -> bool:
    return isinstance(record, dict) and now - float(record.get("beat", 0)) < STALE_SECONDS


class SharedTallies:
    """The tallies of one replica's report, kept in `store` beside those of every other replica."""

    def __init__(
        self, store: Store, group: str | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.me = uuid.uuid4().hex
        self.group = group  # the replica that started this one as a worker, if any
        self.clock = clock
        self._requests = 0
        self._mine: dict[Kind, Tally] = {}
        self._lock = threading.Lock()
        self.run = self._join()
        self._stopped = threading.Event()
        self._beating = threading.Thread(target=self._beat, name="report-beat", daemon=True)
        self._beating.start()

    # --- the run ------------------------------------------------------------------------------------

    def _record(self, run: str) -> dict[str, Any]:
        return {"run": run, "beat": self.clock(), "group": self.group}

    def _join(self) -> str:
        self.store.put(REPLICAS, self.me, self._record(self.me))
        now = self.clock()
        records = self.store.items(REPLICAS)
        alive = [(key, record) for key, record in records if _alive(record, now)]
        oldest_key, oldest = alive[0] if alive else (self.me, {"run": self.me})
        if oldest_key != self.me:
            run = str(oldest["run"])
            self.store.put(REPLICAS, self.me, self._record(run))
            return run
        # Alone: a new run. The rows and records left are of runs no replica serves any more.
        for key, _ in self.store.items(ROWS):
            if json.loads(key)[0] != self.me:
                self.store.delete(ROWS, key)
        for key, record in records:
            if key != self.me and not _alive(record, now):
                self.store.delete(REPLICAS, key)
        return self.me

    def _beat(self) -> None:
        while not self._stopped.wait(BEAT_SECONDS):
            try:
                self.store.put(REPLICAS, self.me, self._record(self.run))
            except Exception:  # the store is down: requests will say so; beat again later
                continue

    def close(self) -> None:
        """This replica ends: its record goes, and those of the workers it started (ended before it)."""
        self._stopped.set()
        self._beating.join(timeout=10)
        try:
            for key, record in self.store.items(REPLICAS):
                if key == self.me or (isinstance(record, dict) and record.get("group") == self.me):
                    self.store.delete(REPLICAS, key)
        except Exception:  # the store is gone: the records go stale on their own, in STALE_SECONDS
            return

    # --- the tallies --------------------------------------------------------------------------------

    def _row(self, *parts: str) -> str:
        return json.dumps([self.run, self.me, *parts])

    def judged(self) -> None:
        with self._lock:
            self._requests += 1
            self.store.put(ROWS, self._row("requests"), self._requests)

    def room(self, kind: Kind) -> bool:
        tally = self._mine.get(kind)
        return tally is None or len(tally.kept) < DETAILED

    def add(self, kind: Kind, finding: Finding | None) -> None:
        with self._lock:
            tally = self._mine.setdefault(kind, Tally())
            tally.count += 1
            if finding is not None and len(tally.kept) < DETAILED:
                tally.kept.append(finding)
                self.store.put(ROWS, self._row("finding", *kind, str(len(tally.kept))), asdict(finding))
            self.store.put(ROWS, self._row("count", *kind), tally.count)

    def read(self) -> tuple[int, dict[Kind, Tally]]:
        requests = 0
        counts: dict[Kind, int] = {}
        kept: dict[Kind, list[Finding]] = {}
        for key, value in self.store.items(ROWS):
            run, _, what, *rest = json.loads(key)
            if run != self.run:
                continue
            if what == "requests":
                requests += int(value)
                continue
            kind: Kind = (rest[0], rest[1], rest[2])
            if what == "count":
                counts[kind] = counts.get(kind, 0) + int(value)
            elif what == "finding":
                kept.setdefault(kind, []).append(Finding(**value))
        tallies = {}
        for kind in {**kept, **counts}:  # in the order kinds were first found
            shown = kept.get(kind, [])[:DETAILED]
            # A finding is written before its count: a report read in between counts it all the same.
            tallies[kind] = Tally(max(counts.get(kind, 0), len(shown)), shown)
        return requests, tallies
