"""Item 1: the cost of one create-assistant call with each client, side by side in one process.

In memory (one canned httpx.MockTransport for all three) this is the client's own per-call work;
over loopback against the reference server under uvicorn, the server's time is added to every call.
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import clients, regenerate
from bench.procs import API_KEY, PYTHON, REPO, BenchError, run, serving
from bench.stats import median
from contract_tests.suite.reference import free_port


@dataclass
class CallTimes:
    """Per-call seconds of each client, one sample per round."""

    samples: dict[str, list[float]] = field(default_factory=dict)

    def median_us(self, name: str) -> float:
        return median(self.samples[name]) * 1e6


@dataclass
class Footprint:
    import_s: dict[str, list[float]] = field(default_factory=dict)
    peak_rss_mib: dict[str, list[float]] = field(default_factory=dict)


def _per_call(call: Callable[[], object], calls: int) -> float:
    gc.collect()
    start = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - start) / calls


def side_by_side(callers: dict[str, clients.Caller], rounds: int, calls: int) -> CallTimes:
    """Interleave the clients round by round (rotating who goes first) so noise hits all alike."""
    for caller in callers.values():
        _per_call(caller.call, max(1, calls // 4))  # warm-up: first-call caches, lazy imports
    times = CallTimes({name: [] for name in callers})
    names = list(callers)
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            times.samples[name].append(_per_call(callers[name].call, calls))
    return times


def _build_all(base_url: str, api_key: str, in_memory: bool) -> dict[str, clients.Caller]:
    return {
        name: clients.BUILDERS[name](base_url, api_key, clients.canned_transport() if in_memory else None)
        for name in clients.CLIENTS
    }


def in_memory(rounds: int, calls: int) -> CallTimes:
    """Ours, raw httpx and the SDK, plus the same spec generated with the stock templates."""
    with tempfile.TemporaryDirectory() as scratch:
        builders = dict(clients.BUILDERS)
        try:
            stock_dir = Path(scratch) / "stock"
            package = regenerate.stock_client(stock_dir)
            sys.path.insert(0, str(stock_dir))
            builders["generated_stock"] = clients.stock_generated(package)
        except BenchError as exc:
            print(f"    no stock-template row: {exc}", file=sys.stderr)
        order = ["raw_httpx", "generated", "generated_stock", "openai_sdk"]
        builders = {name: builders[name] for name in order if name in builders}
        for name, builder in builders.items():
            clients.check_same_request(name, API_KEY, builder)
        callers = {
            name: build(clients.MOCK_BASE_URL, API_KEY, clients.canned_transport())
            for name, build in builders.items()
        }
        try:
            return side_by_side(callers, rounds, calls)
        finally:
            for caller in callers.values():
                caller.close()


def loopback(rounds: int, calls: int, logs: str) -> CallTimes:
    """Against the reference server as users run it (`python -m contract_tests.server`)."""
    port = free_port()
    command = [PYTHON, "-m", "contract_tests.server", "--host", "127.0.0.1", "--port", str(port)]
    log = REPO / logs / "reference-server-loopback.log"
    with serving(command, port, log, env={"ASSISTANTS_API_KEY": API_KEY}) as base_url:
        callers = _build_all(base_url, API_KEY, in_memory=False)
        try:
            return side_by_side(callers, rounds, calls)
        finally:
            for caller in callers.values():
                caller.close()


def footprint(runs: int, calls: int) -> Footprint:
    """Import time and peak RSS, each from a fresh interpreter; the runs interleave the clients."""
    names = ["python", *clients.CLIENTS]
    result = Footprint({n: [] for n in names}, {n: [] for n in names})
    for index in range(runs + 1):
        for name in names:
            done = run([PYTHON, "-m", "bench.client_child", name, str(calls)], timeout=60)
            if done.returncode != 0:
                raise BenchError(f"bench.client_child {name} failed: {done.output.strip()[-300:]}")
            if index == 0:
                continue  # the first run writes bytecode caches: not what a user pays each time
            figures = json.loads(done.output.strip().splitlines()[-1])
            result.import_s[name].append(figures["import_s"])
            result.peak_rss_mib[name].append(figures["peak_rss_mib"])
    return result
