"""Item 3: the reference server, the judging mock and the validating proxy under bounded concurrent load,
beside Stoplight Prism's mock server; and the proxy's added latency over a direct call, one at a time.
The mock runs as one process with its objects in memory (its default), as Prism answers (`--stateless`),
on a SQLite `--state` alone and with `--workers 2` sharing it, and with `--workers 2` on PostgreSQL when
$CONTRACT_TEST_POSTGRES_URL names a server (a database of its own for the run, dropped after).

autocannon (bench/load.cjs) runs in a second process and sends, in turn, valid bodies and invalid ones
of the spec's first operation that takes a JSON body, all taken from the spec (its examples; the suite's
derived bodies one rule broken). Every server runs at once and the rounds interleave them, so the
machine's noise hits all alike.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.postgres import POSTGRES_VARIABLE, create_database, drop_database
from bench.procs import API_KEY, PYTHON, REPO, BenchError, run, serving
from bench.stats import median
from contract_tests.api.model import Api, Operation, load_api
from contract_tests.api.parameters import text_of
from contract_tests.suite.bodies import BodyFactory
from contract_tests.suite.reference import free_port

BENCH_DIR = REPO / "bench"
NODE_BIN = BENCH_DIR / "node_modules" / ".bin"
PRISM = "Prism 5.16.0 mock"
H11 = "reference, uvicorn h11 + asyncio"
FAST = "reference, uvicorn httptools + uvloop"
MOCK = "judging mock (assistants-contract mock)"
MOCK_STATELESS = "judging mock, --stateless (answers as Prism)"
MOCK_SQLITE = "judging mock, --state SQLite"
MOCK_WORKERS = "judging mock, --workers 2, --state SQLite"
MOCK_POSTGRES = "judging mock, --workers 2, --state PostgreSQL"
# The mocks beside the default one, in the report's order.
MOCK_KINDS = (MOCK_STATELESS, MOCK_SQLITE, MOCK_WORKERS, MOCK_POSTGRES)
WORKERS = 2
PROXY = "validating proxy, in front of the reference server (httptools)"


def _operation(api: Api) -> Operation:
    for op in api.operations:
        if op.body is not None and not op.path_parameters:
            return op
    raise BenchError("the spec has no operation with a JSON body on a path without parameters")


@dataclass(frozen=True)
class Mix:
    """What each connection sends in turn: the operation's method, path and headers; valid and invalid
    bodies alternating."""

    method: str
    path: str
    headers: dict[str, str]
    bodies: list[str]
    described: str

    @classmethod
    def of(cls, api: Api) -> Mix:
        op = _operation(api)
        factory = BodyFactory(api, op)
        valid = [json.dumps(example) for example in api.examples(op).values()][:2]
        valid = valid or [json.dumps(body.value) for body in factory.valid()[:2]]
        broken = [body for body in factory.invalid() if len(json.dumps(body.value)) < 4096]
        # Two faults clients make: a required field left out, and a nested one (an unknown tool kind
        # where the spec has kinds, else a wrong type).
        invalid = []
        for words in (("without required",), ("no known kind", "wrong JSON type")):
            found = next((body for word in words for body in broken if word in body.label), None)
            if found is not None:
                invalid.append(found)
        invalid = invalid or broken[:2]
        bodies: list[str] = []
        for good, bad in zip(valid * 2, [json.dumps(body.value) for body in invalid], strict=False):
            bodies += [good, bad]
        headers = {p.name: text_of(api.parameter_example(p)) for p in op.headers if p.required}
        headers["content-type"] = op.body.media_type if op.body is not None else "application/json"
        labels = ", ".join(f"`{body.label}`" for body in invalid)
        described = (
            f"`{op.method} {api.base_path}{op.path}` ({op.operation_id}), cycling through the spec's "
            f"examples and invalid bodies ({labels})"
        )
        return cls(op.method, api.base_path + op.path, headers, bodies, described)


@dataclass
class Server:
    label: str
    command: list[str]
    port: int


@dataclass
class LoadResult:
    rps: dict[str, list[float]] = field(default_factory=dict)
    p50_ms: dict[str, list[float]] = field(default_factory=dict)
    p99_ms: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    connections: int = 0
    amount: int = 0
    mix: str = ""
    # p50 with one request in flight (no queueing), by server: the proxy's own cost over a direct call.
    sequential_p50_ms: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def proxy_added_ms(self) -> float:
        return median(self.sequential_p50_ms.get(PROXY, [])) - median(self.sequential_p50_ms.get(FAST, []))

    def median(self, figure: str, label: str) -> float:
        """The median of one figure of one server; NaN for a server that could not run."""
        samples: dict[str, list[float]] = getattr(self, figure)
        return median(samples.get(label, []))


def servers(scratch: Path, postgres: str | None) -> list[Server]:
    """Every server of the section; `scratch` holds the mocks' SQLite files, `postgres` is the URL of a
    database for the mock's PostgreSQL row (None: no such row)."""
    reference = [PYTHON, "-m", "bench.reference_server"]
    h11_port, fast_port, mock_port, proxy_port, prism_port = (free_port() for _ in range(5))
    contract = [PYTHON, "-m", "contract_tests"]
    prism = [str(NODE_BIN / "prism"), "mock", "spec/openapi.yaml", "-h", "127.0.0.1", "-p", str(prism_port)]

    def mock(label: str, *options: str) -> Server:
        port = mock_port if label == MOCK else free_port()
        return Server(label, [*contract, "mock", "--host", "127.0.0.1", "--port", str(port), *options], port)

    workers = ("--workers", str(WORKERS))
    mocks = [
        mock(MOCK),
        mock(MOCK_STATELESS, "--stateless"),
        mock(MOCK_SQLITE, "--state", str(scratch / "single.sqlite")),
        mock(MOCK_WORKERS, *workers, "--state", str(scratch / "workers.sqlite")),
    ]
    if postgres is not None:
        mocks.append(mock(MOCK_POSTGRES, *workers, "--state", postgres))
    return [
        Server(H11, [*reference, str(h11_port), "h11", "asyncio"], h11_port),
        Server(FAST, [*reference, str(fast_port), "httptools", "uvloop"], fast_port),
        *mocks,
        Server(
            PROXY,
            [
                *contract,
                "proxy",
                "--upstream",
                f"http://127.0.0.1:{fast_port}",
                "--host",
                "127.0.0.1",
                "--port",
                str(proxy_port),
            ],
            proxy_port,
        ),
        Server(
            PRISM,
            # Logging at "error" only: Prism's default logs a line per request, which would slow it.
            [*prism, "-v", "error"],
            prism_port,
        ),
    ]


@contextlib.contextmanager
def _postgres(notes: list[str]) -> Iterator[str | None]:
    """A fresh database on the server $CONTRACT_TEST_POSTGRES_URL names, dropped after; None, said in the
    notes, when there is none."""
    server = os.environ.get(POSTGRES_VARIABLE, "")
    if not server:
        notes.append(f"No PostgreSQL row: ${POSTGRES_VARIABLE} is not set (it names a server to use).")
        yield None
        return
    try:
        url = create_database(server)
    except BenchError as exc:
        notes.append(f"No PostgreSQL row: {exc}")
        yield None
        return
    try:
        yield url
    finally:
        try:
            drop_database(server, url)
        except BenchError as exc:  # the figures stand; the database left behind is said
            notes.append(str(exc))


def _load(url: str, mix: Mix, connections: int, amount: int) -> dict[str, Any]:
    options = {
        "url": url,
        "connections": connections,
        "amount": amount,
        "timeout": 10,
        "method": mix.method,
        "path": mix.path,
        "headers": mix.headers,
        "bodies": mix.bodies,
    }
    done = run(
        ["node", str(BENCH_DIR / "load.cjs"), json.dumps(options)], timeout=120, env={"BENCH_AUTH": API_KEY}
    )
    if done.returncode != 0:
        raise BenchError(f"autocannon failed: {done.output.strip()[-300:]}")
    figures: dict[str, Any] = json.loads(done.output.strip().splitlines()[-1])
    return figures


def _record(result: LoadResult, label: str, figures: dict[str, Any]) -> None:
    for figure in ("rps", "p50_ms", "p99_ms"):
        getattr(result, figure).setdefault(label, []).append(figures[figure])
    statuses = result.statuses.setdefault(label, {})
    for code, count in figures["statuses"].items():
        statuses[code] = statuses.get(code, 0) + count
    result.failures[label] = result.failures.get(label, 0) + figures["errors"] + figures["timeouts"]


def measure(rounds: int, connections: int, amount: int, logs: str) -> LoadResult:
    if not (NODE_BIN / "autocannon").exists():
        raise BenchError("bench/node_modules is missing: run `npm ci --prefix bench`")
    mix = Mix.of(load_api())
    result = LoadResult(connections=connections, amount=amount, mix=mix.described)
    # The mock and the proxy are given the bench's key, as a client's CI gives its own.
    env = {"ASSISTANTS_API_KEY": API_KEY, "API_KEY": API_KEY}
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        chosen = servers(scratch, stack.enter_context(_postgres(result.notes)))
        urls = {}
        for server in chosen:
            log = REPO / logs / f"load-{server.port}.log"
            try:
                url = stack.enter_context(serving(server.command, server.port, log, env))
                # Warm-up, generous for Prism: Node's JIT needs a few thousand requests to settle.
                _load(url, mix, connections, max(1000, amount))
            except BenchError as exc:
                if server.label == FAST:
                    raise
                result.notes.append(f"{server.label} could not run here: {exc} (log: {log.name})")
                continue
            urls[server.label] = url
        for index in range(rounds):
            labels = list(urls)
            shift = index % len(labels)
            for label in labels[shift:] + labels[:shift]:
                _record(result, label, _load(urls[label], mix, connections, amount))
            # One request at a time, directly and through the proxy: what the proxy adds to a call.
            for label in (FAST, PROXY):
                if label in urls:
                    figures = _load(urls[label], mix, 1, max(500, amount // 4))
                    result.sequential_p50_ms.setdefault(label, []).append(figures["p50_ms"])
    return result
