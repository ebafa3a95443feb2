"""The judging mock as one process builds it: in the command's own process, or in each worker of
`--workers N` (the settings travel to the worker, spawned, pickled; it opens the shared store itself and
adds its findings to the report kept there)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from uvicorn.config import STARTUP_FAILURE

from contract_tests.api.document import SpecError
from contract_tests.api.model import Api
from contract_tests.api.needs import check_needs
from contract_tests.masking import Masker
from contract_tests.mock.app import JudgingMock, served_prefixes
from contract_tests.mock.faults import FaultError, FaultPlan
from contract_tests.mock.shared_report import SharedTallies
from contract_tests.rules.report import TrafficReport
from contract_tests.rules.traffic import TrafficJudge
from contract_tests.server import create_app
from contract_tests.server.store import Store, open_store


def build_mock(
    api: Api,
    *,
    key: str,
    spec: str,
    store: Store,
    faults: FaultPlan,
    report: TrafficReport,
    bodies_dir: Path,
    stateless: bool = False,
) -> JudgingMock:
    """The reference server of `spec` on `store` (or keeping nothing, `stateless`, as Prism), each request
    judged into `report`, the spec's paths served under its base path and at the root."""
    app = create_app(api_key=key, spec_path=spec, store=store, stateless=stateless)
    judge = TrafficJudge(api, key, Masker(key), report, bodies_dir, served_prefixes(api))
    return JudgingMock(app, api, judge, faults)


@dataclass(frozen=True)
class MockWorker:
    """Builds the mock in a worker process; a setting that fails there is one line and the worker's start
    failure (the supervisor then stops instead of starting it again)."""

    key: str = field(repr=False)
    spec: str
    state: str
    faults: str | None
    seed: int
    bodies_dir: str
    group: str  # the replica id of the process that started the workers
    stateless: bool = False

    def __call__(self) -> JudgingMock:
        try:
            api = check_needs(self.spec, sends=False)
            # Each worker draws from its own generator, seeded alike.
            faults = FaultPlan.parse(self.faults, self.seed)
            store = open_store(self.state)
        except (SpecError, FaultError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            sys.exit(STARTUP_FAILURE)
        report = TrafficReport(Masker(self.key), "mock", SharedTallies(store, group=self.group))
        return build_mock(
            api,
            key=self.key,
            spec=self.spec,
            store=store,
            faults=faults,
            report=report,
            bodies_dir=Path(self.bodies_dir),
            stateless=self.stateless,
        )
