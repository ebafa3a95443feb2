"""The judging mock in process, for one test: served in a thread on a free loopback port, with faults
queued by the test and the findings at hand (the `contract_mock` pytest fixture is built on it,
contract_tests/pytest_plugin.py).

    with ContractMock(spec="openapi.yaml", stateless=True).serving() as mock:
        mock.fault(429, times=2, retry_after=0.5)
        ...  # the client under test, pointed at mock.base_url with mock.api_key
        assert mock.failure() is None, mock.failure()
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from contract_tests.api.document import SPEC_PATH
from contract_tests.api.model import Api
from contract_tests.api.needs import check_needs
from contract_tests.commands import client_environment, scratch_dir, version_prefix
from contract_tests.masking import Masker, near_misses, times
from contract_tests.mock.app import JudgingMock, served_prefixes
from contract_tests.mock.faults import Fault, FaultError, FaultPlan, parse_fault
from contract_tests.rules.report import CLIENT, Finding, TrafficReport
from contract_tests.rules.requests import CLIENT_RULE_TEXT
from contract_tests.rules.traffic import TrafficJudge
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread

SHORTEST_KEY = 8


class ContractMock:
    """A judging mock of the spec at `spec` (stateful, or `stateless` as Prism), with `faults` rules drawn
    from `seed` as `assistants-contract mock --faults` draws them, accepting `api_key` (default: a key
    of its own)."""

    def __init__(
        self,
        spec: Path | str = SPEC_PATH,
        *,
        stateless: bool = False,
        faults: str | None = None,
        seed: int = 0,
        api_key: str | None = None,
    ) -> None:
        if api_key is not None and len(api_key) < SHORTEST_KEY:
            raise ValueError(f"the mock's api_key must be {SHORTEST_KEY} characters or more")
        self.api: Api = check_needs(spec, sends=False)
        self.api_key = api_key or f"sk-mock-{secrets.token_hex(12)}"
        self.mask = Masker(self.api_key, *near_misses(self.api_key).values())
        self.report = TrafficReport(self.mask, "mock")
        self.plan = FaultPlan.parse(faults, seed)
        judge = TrafficJudge(
            self.api, self.api_key, self.mask, self.report, scratch_dir(None), served_prefixes(self.api)
        )
        app = create_app(api_key=self.api_key, spec_path=spec, stateless=stateless)
        self.app = JudgingMock(app, self.api, judge, self.plan)
        self.url = ""  # the mock's root, while it serves
        self.allowed: set[str] = set()

    @contextmanager
    def serving(self) -> Iterator[ContractMock]:
        with serve_in_thread(self.app) as url:
            self.url = url
            try:
                yield self
            finally:
                self.url = ""

    @property
    def base_url(self) -> str:
        """Where an SDK's base URL points: the mock's root and the spec's version prefix (`/v1`)."""
        return self.url + version_prefix(self.api)

    def environment(self) -> dict[str, str]:
        """OPENAI_BASE_URL, OPENAI_API_KEY, BASE_URL and API_KEY, where the official SDKs look."""
        return client_environment(self.api, self.url, self.api_key)

    def fault(
        self,
        what: int | str,
        *,
        times: int = 1,
        retry_after: float | None = None,
        seconds: float | None = None,
        operation: str | None = None,
    ) -> None:
        """Answer the next `times` requests (of the operationId `operation`, if named) with a fault:
        a status (429, 503, 500, 502, 504; `retry_after` seconds asked for on a 429 or 503, default 1),
        `"latency"` (`seconds` late), `"drop"` (the connection closed, no answer), `"truncate"` (the
        answer, or the stream, cut in the middle), or any fault `X-Contract-Fault` names
        (`"latency=200ms"`, `"429;retry-after=2"`)."""
        if operation is not None:
            self.api.operation(operation)  # SpecError, in one line, for an operation the spec lacks
        if isinstance(what, int):
            chosen = parse_fault(str(what))
            if retry_after is not None:
                chosen = Fault("status", what, retry_after)
        elif what == "latency":
            if seconds is None:
                raise FaultError("a latency needs its seconds: fault('latency', seconds=0.2)")
            chosen = Fault("latency", seconds=seconds)
        else:
            chosen = parse_fault(what)
        self.plan.queue(chosen, times, operation)

    @property
    def faults_served(self) -> list[str]:
        """Each fault the mock answered, in turn: `429 (Retry-After: 0.5)`, `drop`..."""
        return [fault.label for fault in self.plan.served]

    @property
    def requests(self) -> int:
        return self.report.requests

    def findings(self) -> list[Finding]:
        """The client's findings kept in detail (a few of each rule and operation; `report` counts all)."""
        return [
            finding
            for (side, _, _), tally in sorted(self.report.tallies.items())
            if side == CLIENT
            for finding in tally.kept
        ]

    @property
    def broken_rules(self) -> set[str]:
        return {rule for (side, _, rule) in self.report.tallies if side == CLIENT}

    def allow(self, *rules: str) -> None:
        """Findings of these rules do not fail the test (a test that sends a bad request on purpose)."""
        self.allowed.update(rules)

    def failure(self) -> str | None:
        """What the client broke, for a stranger fixing it (each rule, where, why, the request and a
        reproduction, the key masked), or None when it kept the contract."""
        blocks = []
        for (side, operation, rule), tally in sorted(self.report.tallies.items()):
            if side != CLIENT or rule in self.allowed:
                continue
            lines = [f"{rule} on {operation}, {times(tally.count)}: {CLIENT_RULE_TEXT.get(rule, rule)}"]
            for finding in tally.kept:
                lines += [
                    f"  at {finding.where}: {finding.message}",
                    f"    reproduce: {finding.reproduce}",
                ]
            blocks.append("\n".join(lines))
        if not blocks:
            return None
        head = f"the client broke the contract of {self.api.path.name} (judged by the mock):"
        return self.mask("\n".join([head, *blocks]))
