"""Item 2: `make contract` beside the plain schemathesis CLI (`st run --checks all`), on the same spec.

Timing: `make contract` as a user runs it (it starts its own reference server), `st run` against a
reference server this module starts. Cases per second is the cases each reports over its wall time.
Catching: every server of the defect gallery (contract_tests.gallery, one deliberate defect each) is
served in turn and both tools run against it at once; a tool catches it when it reports a failure. A
server whose defect needs what the spec lacks (a retrieve, for one that forgets what it made) runs, for
both tools alike, on the spec grown into a whole resource (tests/edits/resource.py: list, retrieve,
modify, delete, with links), where `st run` has its stateful phase.
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.procs import API_KEY, PYTHON, REPO, BenchError, Finished, run, serving
from bench.stats import median
from contract_tests.api.document import SPEC_PATH, load_spec
from contract_tests.api.model import load_api
from contract_tests.gallery import GALLERY
from contract_tests.server import create_app
from contract_tests.suite.reference import free_port
from tests.edits.resource import grow

ST = str(REPO / ".venv" / "bin" / "st")
SPEC = "spec/openapi.yaml"
TIMEOUT = 180.0
TOOLS = ("make contract", "st run")


@dataclass
class ToolRuns:
    seconds: list[float] = field(default_factory=list)
    cases: list[int] = field(default_factory=list)
    passed: list[bool] = field(default_factory=list)

    def median_seconds(self) -> float:
        return median(self.seconds)

    def cases_per_second(self) -> float:
        return median([c / s for c, s in zip(self.cases, self.seconds, strict=True) if c and s])


@dataclass
class ContractResult:
    make_contract: ToolRuns = field(default_factory=ToolRuns)
    st_run: ToolRuns = field(default_factory=ToolRuns)
    # The same two tools on the spec grown into a resource (list, retrieve, modify, delete, links), both
    # against one reference server of that spec: the suite with its sequences, `st run` with its phases.
    resource_suite: ToolRuns = field(default_factory=ToolRuns)
    resource_st_run: ToolRuns = field(default_factory=ToolRuns)
    resource_operations: int = 0
    gallery: dict[str, dict[str, str]] = field(default_factory=dict)  # server -> tool -> verdict
    on_resource: list[str] = field(default_factory=list)  # servers run on the spec grown into a resource
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    finished: Finished
    cases: int
    failed: bool  # the tool reported the server breaking the contract
    errored: bool  # the tool could not test the server


def st_command(base_url: str, spec: str, report: Path) -> list[str]:
    """The plain CLI with every check, writing its JSON report (auth header filtered) to `report`."""
    command = [ST, "run", spec, "--url", base_url, "--checks", "all", "--no-color"]
    command += ["-H", f"Authorization: Bearer {API_KEY}", "--generation-database", "none"]
    return [*command, "--report", "json", "--report-json-path", str(report)]


def st_run(base_url: str, spec: str = SPEC) -> Verdict:
    """The plain CLI with every check; its JSON report gives the figures."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "st.json"
        done = run(st_command(base_url, spec, report), TIMEOUT)
        if not report.exists():
            return Verdict(done, 0, failed=False, errored=True)
        figures = json.loads(report.read_text())
    cases = figures["test_cases"]
    return Verdict(
        done, int(cases["generated"]), failed=cases["with_failures"] > 0, errored=done.returncode > 1
    )


_RESULT = re.compile(r"^RESULT: (\w+)\b.*?(\d+) cases", re.MULTILINE)


def _suite_verdict(done: Finished) -> Verdict:
    found = _RESULT.findall(done.output)
    status, cases = found[-1] if found else ("ERROR", "0")
    return Verdict(done, int(cases), failed=status == "FAIL", errored=status not in {"PASS", "FAIL"})


def make_contract() -> Verdict:
    """`make contract` with no BASE_URL: the suite starts the reference server itself."""
    return _suite_verdict(run(["make", "--no-print-directory", "contract"], TIMEOUT, env={"BASE_URL": ""}))


def suite(base_url: str, spec: str = SPEC) -> Verdict:
    """The same suite against a given server (scripts/contract, without make's lock-file check)."""
    env = {"BASE_URL": base_url, "API_KEY": API_KEY}
    return _suite_verdict(run(["scripts/contract", "--spec", spec], TIMEOUT, env=env))


def _record(runs: ToolRuns, verdict: Verdict) -> None:
    runs.seconds.append(verdict.finished.seconds)
    runs.cases.append(verdict.cases)
    runs.passed.append(not verdict.failed and not verdict.errored)


def timing(result: ContractResult, rounds: int, logs: str) -> None:
    # make contract's first step syncs the venv without the bench group: do that before the clock runs.
    run(["scripts/bootstrap"], TIMEOUT)
    port = free_port()
    command = [PYTHON, "-m", "contract_tests.server", "--host", "127.0.0.1", "--port", str(port)]
    log = REPO / logs / "reference-server-contract.log"
    with serving(command, port, log, env={"ASSISTANTS_API_KEY": API_KEY}) as base_url:
        tools: list[tuple[ToolRuns, Callable[[], Verdict]]] = [
            (result.st_run, functools.partial(st_run, base_url)),
            (result.make_contract, make_contract),
        ]
        for index in range(rounds):
            for runs, tool in tools if index % 2 == 0 else tools[::-1]:
                _record(runs, tool())
    for label, runs in (("`make contract`", result.make_contract), ("`st run`", result.st_run)):
        if not all(runs.passed):
            result.notes.append(
                f"{label} did not pass the reference server in {runs.passed.count(False)} run(s)."
            )


def resource_timing(result: ContractResult, rounds: int, logs: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        spec = _resource_spec(Path(scratch))
        result.resource_operations = len(load_api(spec).operations)
        port = free_port()
        command = [PYTHON, "-m", "contract_tests.server", "--spec", spec, "--host", "127.0.0.1"]
        command += ["--port", str(port)]
        log = REPO / logs / "reference-server-resource.log"
        with serving(command, port, log, env={"ASSISTANTS_API_KEY": API_KEY}) as base_url:
            tools: list[tuple[ToolRuns, Callable[[], Verdict]]] = [
                (result.resource_st_run, functools.partial(st_run, base_url, spec)),
                (result.resource_suite, functools.partial(suite, base_url, spec)),
            ]
            for index in range(rounds):
                for runs, tool in tools if index % 2 == 0 else tools[::-1]:
                    _record(runs, tool())
    for label, runs in (("the suite", result.resource_suite), ("`st run`", result.resource_st_run)):
        if not all(runs.passed):
            result.notes.append(
                f"{label} did not pass the reference server of the resource spec in "
                f"{runs.passed.count(False)} run(s)."
            )


def _outcome(future: Future[Verdict]) -> str:
    try:
        verdict = future.result()
    except BenchError as exc:  # e.g. a timeout: this server's row says so, the others still run
        return f"error ({str(exc).replace(API_KEY, '[key]')})"
    return "caught" if verdict.failed else "error" if verdict.errored else "missed"


def resource_document() -> dict[str, Any]:
    """The project's spec grown into a whole resource (tests/edits/resource.py), with links."""
    document = load_spec(SPEC_PATH)
    grow(document, load_api(SPEC_PATH), links=True)
    return document


def _resource_spec(directory: Path) -> str:
    document = resource_document()
    path = directory / "resource.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return str(path)


def gallery(result: ContractResult, logs: str, limit: int | None) -> None:
    api = load_api(SPEC_PATH)
    with tempfile.TemporaryDirectory() as scratch:
        resource = _resource_spec(Path(scratch))
        for name in list(GALLERY)[:limit]:
            spec = SPEC if GALLERY[name].applies(api) else resource
            if spec == resource:
                result.on_resource.append(name)
            port = free_port()
            command = [PYTHON, "-m", "contract_tests", "gallery", name, "--spec", spec]
            command += ["--host", "127.0.0.1", "--port", str(port)]
            log = REPO / logs / f"gallery-{name}.log"
            # A server mounted under a prefix (behind a gateway) is judged where it is mounted.
            mount = getattr(GALLERY[name].build(create_app, API_KEY, spec), "mount_path", "")
            with (
                serving(command, port, log, env={"ASSISTANTS_API_KEY": API_KEY}) as root,
                ThreadPoolExecutor(max_workers=2) as pool,
            ):
                base_url = root + mount
                futures = {
                    "make contract": pool.submit(suite, base_url, spec),
                    "st run": pool.submit(st_run, base_url, spec),
                }
                result.gallery[name] = {tool: _outcome(future) for tool, future in futures.items()}


def measure(rounds: int, logs: str, gallery_limit: int | None = None) -> ContractResult:
    result = ContractResult()
    timing(result, rounds, logs)
    resource_timing(result, rounds, logs)
    gallery(result, logs, gallery_limit)
    return result
