"""Where the time goes: pyinstrument profiles of one create-assistant call, split by package.

Two paths are profiled: the generated client's call (in memory, as in bench.client_overhead) and the
reference server's handling of one request (the ASGI app called in-process, without uvicorn).
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import sysconfig
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyinstrument import Profiler
from pyinstrument.frame import Frame
from pyinstrument.renderers import ConsoleRenderer
from pyinstrument.session import Session

from bench import clients
from bench.procs import API_KEY, PYTHON, REPO, BenchError, run
from bench.server_load import Mix
from bench.stats import median
from contract_tests.api.document import spec
from contract_tests.api.messages import first_error
from contract_tests.api.model import load_api
from contract_tests.api.validators import SpecValidator, inlined_validator, validator_for
from contract_tests.server import create_app

STDLIB = sysconfig.get_paths()["stdlib"]


@dataclass
class Profile:
    title: str
    per_call_us: float
    by_package: list[tuple[str, float]]  # (package, share of the time), every one, largest first
    top_functions: list[tuple[str, float]]  # (function and where, share of the time), likewise
    text: str  # pyinstrument's own rendering, written next to the logs


# Our own directories, named as the report shows them; any other one of the repository is "(ours)".
REPO_PARTS = {"generated": "assistants_v1_client (generated)", "bench": "bench (the profile's driver)"}


def _package(path: str | None) -> str:
    if not path:
        return "(native)"
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if not Path(path).is_absolute() and (REPO / path).exists():
        path = str(REPO / path)  # modules found through sys.path's '' (python -m in the repo)
    if path.startswith(str(REPO)):
        top = Path(path).relative_to(REPO).parts[0]
        return REPO_PARTS.get(top, f"{top} (ours)")
    if path.startswith(STDLIB):
        return "stdlib " + Path(path).relative_to(STDLIB).parts[0].removesuffix(".py")
    return Path(path).name


def _self_times(frame: Frame, packages: dict[str, float], functions: dict[str, float]) -> None:
    """Add up self time per package and per function; synthetic [self] frames count in their parent."""
    package = _package(frame.file_path)
    packages[package] += frame.total_self_time
    functions[f"{frame.function} ({frame.code_position_short()})"] += frame.total_self_time
    for child in frame.children:
        if not child.is_synthetic:
            _self_times(child, packages, functions)


def _largest(times: dict[str, float], total: float) -> list[tuple[str, float]]:
    """Every entry with its share of the total, largest first."""
    return [(name, t / total) for name, t in sorted(times.items(), key=lambda item: -item[1])]


def _summarise(title: str, session: Session | None, per_call_us: float) -> Profile:
    root = session.root_frame() if session else None
    packages: dict[str, float] = defaultdict(float)
    functions: dict[str, float] = defaultdict(float)
    if root is not None:
        _self_times(root, packages, functions)
    total = sum(packages.values()) or 1.0
    text = ConsoleRenderer(unicode=False, color=False).render(session) if session else ""
    return Profile(title, per_call_us, _largest(packages, total), _largest(functions, total), text)


def _profile(title: str, run: Callable[[], int]) -> Profile:
    profiler = Profiler(interval=0.0002)
    profiler.start()
    start = time.perf_counter()
    calls = run()
    elapsed = time.perf_counter() - start
    profiler.stop()
    return _summarise(title, profiler.last_session, elapsed / calls * 1e6)


def generated_client(calls: int) -> Profile:
    caller = clients.generated(clients.MOCK_BASE_URL, API_KEY, clients.canned_transport())
    for _ in range(50):
        caller.call()

    def run() -> int:
        for _ in range(calls):
            caller.call()
        return calls

    try:
        return _profile("generated client, one call on an in-memory transport", run)
    finally:
        caller.close()


Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def _request(mix: Mix, body: bytes) -> tuple[dict[str, Any], Receive, Send]:
    headers = [
        (b"host", b"127.0.0.1"),
        (b"authorization", f"Bearer {API_KEY}".encode()),
        *((name.lower().encode(), value.encode()) for name, value in mix.headers.items()),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": mix.method,
        "scheme": "http",
        "path": mix.path,
        "raw_path": mix.path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        return None

    return scope, receive, send


def reference_server(requests: int) -> Profile:
    """The app alone, on the load benchmark's mix of valid and invalid bodies."""
    app = create_app(api_key=API_KEY)
    mix = Mix.of(load_api())
    bodies = [body.encode() for body in mix.bodies]

    async def serve(count: int) -> None:
        for index in range(count):
            scope, receive, send = _request(mix, bodies[index % len(bodies)])
            await app(scope, receive, send)  # type: ignore[arg-type]  # plain dicts are ASGI messages

    asyncio.run(serve(50))

    def run() -> int:
        asyncio.run(serve(requests))
        return requests

    return _profile("reference server app, one request (valid and invalid mixed), no uvicorn", run)


def contract_suite() -> Profile:
    """`scripts/contract` against the reference server it starts, profiled in its own interpreter."""
    with tempfile.TemporaryDirectory() as scratch:
        saved = Path(scratch) / "suite.pyisession"
        command = [PYTHON, "-m", "pyinstrument", "--interval", "0.001", "-r", "pyisession", "-o", str(saved)]
        done = run([*command, "-m", "contract_tests.suite"], timeout=180, env={"BASE_URL": ""})
        if not saved.exists():
            raise BenchError(f"the profiled suite left no session: {done.output.strip()[-300:]}")
        session = Session.load(str(saved))
    cases = _suite_cases(done.output)
    per_case_us = session.duration / cases * 1e6 if cases else float("nan")
    return _summarise("contract suite (`scripts/contract`), one case, wall time", session, per_case_us)


def _suite_cases(output: str) -> int:
    found = re.findall(r"^RESULT: \w+\b.*?(\d+) cases", output, re.MULTILINE)
    return int(found[-1]) if found else 0


def validation_share(rounds: int) -> dict[str, float]:
    """Microseconds per body of the load mix to judge it and find the error a message names (what the
    server, the mock and the proxy do): the compiled engine they use (jsonschema-rs, `$ref`s inlined at
    start-up) beside the Python one on the same inlined schema and on the resolving one, interleaved."""
    document = spec()
    api = load_api()
    mix = Mix.of(api)
    create = next(op for op in api.operations if op.method == mix.method and op.body is not None)
    assert create.body is not None
    pointer = create.body.schema_pointer
    validators = {
        "compiled (jsonschema-rs), as served": inlined_validator(pointer, document),
        "Python jsonschema, inlined $refs": inlined_validator(pointer, document, SpecValidator),
        "Python jsonschema, resolving $refs per validation": validator_for(pointer, document),
    }
    bodies = [json.loads(body) for body in mix.bodies]
    samples: dict[str, list[float]] = {name: [] for name in validators}
    for _ in range(rounds):
        for name, validator in validators.items():
            start = time.perf_counter()
            for body in bodies * 25:
                if not validator.is_valid(body):
                    first_error(validator, body)
            samples[name].append((time.perf_counter() - start) / (len(bodies) * 25) * 1e6)
    return {name: median(times) for name, times in samples.items()}


if __name__ == "__main__":
    for profile in (generated_client(2000), reference_server(1000)):
        sys.stdout.write(profile.text)
        print(profile.by_package, profile.top_functions, sep="\n")
    print(validation_share(5))
