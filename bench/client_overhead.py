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

import httpx

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
        builders["generated_no_retries"] = clients.generated_no_retries
        try:
            stock_dir = Path(scratch) / "stock"
            package = regenerate.stock_client(stock_dir)
            sys.path.insert(0, str(stock_dir))
            builders["generated_stock"] = clients.stock_generated(package)
        except BenchError as exc:
            print(f"    no stock-template row: {exc}", file=sys.stderr)
        order = ["raw_httpx", "generated", "generated_no_retries", "generated_stock", "openai_sdk"]
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


# The scenario: the server refuses the first request with 429 and `Retry-After: 1`, then
# answers 200. Each client as users build it, plus the generated client with retries off.
RETRY_CLIENTS = ("generated", "generated_no_retries", "openai_sdk")


@dataclass
class RetryScenario:
    """Seconds of one call per client in the 429-then-200 scenario (one sample per round), and what the
    call gave."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)

    def median_s(self, name: str) -> float:
        return median(self.samples[name])


def _refused_once() -> httpx.MockTransport:
    refusal = {
        "error": {"message": "Slow down.", "type": "requests", "param": None, "code": "rate_limit_exceeded"}
    }
    answered = [0]

    def answer(request: httpx.Request) -> httpx.Response:
        answered[0] += 1
        if answered[0] == 1:
            return httpx.Response(429, json=refusal, headers={"Retry-After": "1"})
        return httpx.Response(200, json=clients.CANNED)

    return httpx.MockTransport(answer)


def _call_refused_once(name: str) -> str:
    """One call of client `name` on a fresh _refused_once server; what it gave."""
    transport = _refused_once()
    if name == "openai_sdk":
        import openai  # noqa: PLC0415 (loaded by the other sections already)

        sdk = openai.OpenAI(
            api_key=API_KEY,
            base_url=f"{clients.MOCK_BASE_URL}/v1",
            http_client=httpx.Client(transport=transport),
        )
        try:
            sdk.beta.assistants.create(**clients.BODY)
            return "the assistant"
        except openai.RateLimitError:
            return "RateLimitError (429)"
        finally:
            sdk.close()
    from assistants_v1_client import AuthenticatedClient  # noqa: PLC0415
    from assistants_v1_client.api.assistants import create_assistant  # noqa: PLC0415
    from assistants_v1_client.models import AssistantObject, CreateAssistantRequest  # noqa: PLC0415

    client = AuthenticatedClient(
        base_url=clients.MOCK_BASE_URL, token=API_KEY, httpx_args={"transport": transport}
    )
    max_retries = 0 if name == "generated_no_retries" else None
    with client:
        response = create_assistant.sync_detailed(
            client=client, body=CreateAssistantRequest.from_dict(clients.BODY), max_retries=max_retries
        )
    if isinstance(response.parsed, AssistantObject):
        return "the assistant"
    return f"{type(response.parsed).__name__} ({int(response.status_code)})"


def refused_once(rounds: int) -> RetryScenario:
    """The clients side by side in the 429-then-200 scenario, in memory, on the real clock."""
    result = RetryScenario({name: [] for name in RETRY_CLIENTS})
    names = list(RETRY_CLIENTS)
    for name in names:
        _call_refused_once(name)  # warm-up: imports, first-call caches
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            result.outcomes[name] = _call_refused_once(name)
            result.samples[name].append(time.perf_counter() - start)
    return result
