"""Item 3: the reference server under bounded concurrent load, beside Stoplight Prism's mock server.

autocannon (bench/load.cjs) runs in a second process and sends valid creates and invalid bodies in
turn. Every server runs at once and the rounds interleave them, so the machine's noise hits all alike.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from bench.procs import API_KEY, PYTHON, REPO, BenchError, run, serving
from bench.stats import median
from contract_tests.suite.reference import free_port

BENCH_DIR = REPO / "bench"
NODE_BIN = BENCH_DIR / "node_modules" / ".bin"
VALID = [
    {"model": "gpt-4-turbo", "name": "Math Tutor", "instructions": "You are a math tutor.", "tools": []},
    {
        "model": "gpt-4-turbo",
        "name": "Weather Bot",
        "instructions": "Answer questions about the weather.",
        "tools": [
            {"type": "retrieval"},
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                },
            },
        ],
        "metadata": {"team": "forecasts"},
    },
]
INVALID = [
    {"name": "No Model", "instructions": "x", "tools": []},
    {"model": "gpt-4-turbo", "name": 5, "instructions": "x", "tools": [{"type": "browser"}]},
]
BODIES = [json.dumps(VALID[0]), json.dumps(INVALID[0]), json.dumps(VALID[1]), json.dumps(INVALID[1])]


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
    notes: list[str] = field(default_factory=list)

    def median(self, figure: str, label: str) -> float:
        """The median of one figure of one server; NaN for a server that could not run."""
        samples: dict[str, list[float]] = getattr(self, figure)
        return median(samples.get(label, []))


def servers() -> list[Server]:
    def port() -> int:
        return free_port()

    reference = [PYTHON, "-m", "bench.reference_server"]
    h11_port, fast_port, prism_port = port(), port(), port()
    return [
        Server("reference, uvicorn h11 + asyncio", [*reference, str(h11_port), "h11", "asyncio"], h11_port),
        Server(
            "reference, uvicorn httptools + uvloop",
            [*reference, str(fast_port), "httptools", "uvloop"],
            fast_port,
        ),
        Server(
            "Prism 5.16.0 mock",
            # Logging at "error" only: Prism's default logs a line per request, which would slow it.
            [
                str(NODE_BIN / "prism"),
                "mock",
                "spec/openapi.yaml",
                "-h",
                "127.0.0.1",
                "-p",
                str(prism_port),
                "-v",
                "error",
            ],
            prism_port,
        ),
    ]


def _load(url: str, connections: int, amount: int) -> dict[str, Any]:
    options = {"url": url, "connections": connections, "amount": amount, "timeout": 10, "bodies": BODIES}
    done = run(
        ["node", str(BENCH_DIR / "load.cjs"), json.dumps(options)], timeout=120, env={"BENCH_AUTH": API_KEY}
    )
    if done.returncode != 0:
        raise BenchError(f"autocannon failed: {done.output.strip()[-300:]}")
    figures: dict[str, Any] = json.loads(done.output.strip().splitlines()[-1])
    return figures


def measure(rounds: int, connections: int, amount: int, logs: str) -> LoadResult:
    if not (NODE_BIN / "autocannon").exists():
        raise BenchError("bench/node_modules is missing: run `npm ci --prefix bench`")
    chosen = servers()
    result = LoadResult(connections=connections, amount=amount)
    with contextlib.ExitStack() as stack:
        urls = {}
        for server in chosen:
            log = REPO / logs / f"load-{server.port}.log"
            env = {"ASSISTANTS_API_KEY": API_KEY}
            try:
                url = stack.enter_context(serving(server.command, server.port, log, env))
                # Warm-up, generous for Prism: Node's JIT needs a few thousand requests to settle.
                _load(url, connections, max(1000, amount))
            except BenchError as exc:
                if server.label.startswith("reference"):
                    raise
                result.notes.append(f"{server.label} could not run here: {exc} (log: {log.name})")
                continue
            urls[server.label] = url
        for label in urls:
            for figure in ("rps", "p50_ms", "p99_ms"):
                getattr(result, figure)[label] = []
            result.statuses[label] = {}
            result.failures[label] = 0
        for index in range(rounds):
            labels = list(urls)
            shift = index % len(labels)
            for label in labels[shift:] + labels[:shift]:
                figures = _load(urls[label], connections, amount)
                for figure in ("rps", "p50_ms", "p99_ms"):
                    getattr(result, figure)[label].append(figures[figure])
                for code, count in figures["statuses"].items():
                    result.statuses[label][code] = result.statuses[label].get(code, 0) + count
                result.failures[label] += figures["errors"] + figures["timeouts"]
    return result
