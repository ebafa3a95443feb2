"""The suite on a spec of 50+ operations, whole and sharded two ways, beside `st run` on the same spec and
server: what the suite costs past the seed's handful of operations, and what `--shard` buys on one machine.

The spec is tests/edits/many.py's (the spec grown into a resource under nine names, beside every media type
of tests/fixtures/media.yaml: 56 operations); one reference server of it serves every run. Each round runs,
in a rotating order: the suite whole (`scripts/contract --spec`, as `make contract` runs against a
BASE_URL); the suite as `--shard 1/2` and `--shard 2/2`, two processes at once, then `assistants-contract
merge-reports` joining their JUnit and JSON reports (timed from the shards' start to the merge's end);
`st run --checks all`; and `st run --checks all --workers 2`, schemathesis' own way to use two cores. Each
run gives the cases it sent (the suite: its requests; `st run`: the cases it generated), the operations it
judged (the suite: those where a check judged a case; `st run`: those it tested) and its peak memory.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.contract import resource_document, st_command
from bench.peak import peak_mib
from bench.procs import API_KEY, PYTHON, REPO, BenchError, Finished, run, serving
from bench.stats import median
from contract_tests.api.model import load_api
from contract_tests.suite.reference import free_port
from tests.edits.many import many_operations

TITLE = "contract suite on a spec of 50+ operations, whole and sharded"
TIMEOUT = 900.0  # one run of one tool; a whole run takes a few minutes on 2 shared cores
SHARDS = 2
WHOLE = "the suite, whole"
SHARDED = f"the suite, {SHARDS} shards at once + merge-reports"
ST = "`st run --checks all`"
ST_WORKERS = f"`st run --checks all --workers {SHARDS}`"
TOOLS = (WHOLE, SHARDED, ST, ST_WORKERS)


@dataclass
class Runs:
    seconds: list[float] = field(default_factory=list)
    cases: list[int] = field(default_factory=list)
    operations: list[int] = field(default_factory=list)
    passed: list[bool] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)

    def median(self, figure: str) -> float:
        samples: list[float] = [float(value) for value in getattr(self, figure)]
        return median(samples)


@dataclass
class LargeResult:
    spec_operations: int = 0
    examples: int | None = None  # the suite's --examples; None: its default
    runs: dict[str, Runs] = field(default_factory=lambda: {tool: Runs() for tool in TOOLS})
    shard_seconds: list[list[float]] = field(default_factory=list)  # each round: each shard's own time
    broken: dict[str, str] = field(default_factory=dict)  # tool -> what it reported broken, as it said it
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Sample:
    seconds: float
    cases: int
    operations: int
    passed: bool
    peak_mib: float
    broken: str = ""  # what the run found broken, when it did


def _last_line(done: Finished) -> str:
    lines = [line for line in done.output.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


def _read(path: Path, tool: str, done: Finished) -> dict[str, Any]:
    if not path.exists():
        raise BenchError(f"{tool} wrote no report (exit status {done.returncode}): {_last_line(done)}")
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return report


def _suite_figures(report: dict[str, Any]) -> tuple[int, int, str]:
    """Cases sent, operations judged and what broke, from a JSON report of the suite (or a merged one)."""
    operations = report["operations"]
    judged = sum(any(check["cases"] for check in op["checks"].values()) for op in operations.values())
    broken = sorted(
        f"{op_id}: {name}"
        for op_id, op in operations.items()
        for name, check in op["checks"].items()
        if check["failures"]
    )
    if report["result"] == "not judged":
        broken = [f"not judged: {report['not_judged']}"]
    return int(report["requests_sent"]), judged, ", ".join(broken)


def _suite_command(spec: str, scratch: Path, name: str, examples: int | None) -> list[str]:
    command = [PYTHON, "-m", "bench.peak", "scripts/contract", "--spec", spec]
    command += ["--report", str(scratch / f"{name}.xml"), "--report-json", str(scratch / f"{name}.json")]
    return command + (["--examples", str(examples)] if examples else [])


def whole(base_url: str, spec: str, scratch: Path, examples: int | None) -> Sample:
    env = {"BASE_URL": base_url, "API_KEY": API_KEY}
    done = run(_suite_command(spec, scratch, "whole", examples), TIMEOUT, env=env)
    report = _read(scratch / "whole.json", "the suite", done)
    cases, judged, broken = _suite_figures(report)
    return Sample(done.seconds, cases, judged, report["result"] == "pass", peak_mib(done.output), broken)


def sharded(base_url: str, spec: str, scratch: Path, examples: int | None, result: LargeResult) -> Sample:
    env = {"BASE_URL": base_url, "API_KEY": API_KEY}
    names = [f"shard{index}" for index in range(1, SHARDS + 1)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=SHARDS) as pool:
        futures = [
            pool.submit(
                run,
                [*_suite_command(spec, scratch, name, examples), "--shard", f"{index}/{SHARDS}"],
                TIMEOUT,
                env,
            )
            for index, name in enumerate(names, 1)
        ]
        shards = [future.result() for future in futures]
    reports = [str(scratch / f"{name}.{kind}") for name in names for kind in ("xml", "json")]
    merged = scratch / "merged.json"
    command = [PYTHON, "-m", "contract_tests", "merge-reports", *reports]
    done = run([*command, "-o", str(scratch / "merged.xml"), "-o", str(merged)], TIMEOUT)
    seconds = time.perf_counter() - start
    for name, shard in zip(names, shards, strict=True):
        _read(scratch / f"{name}.json", f"the suite's {name}", shard)
    report = _read(merged, "merge-reports", done)
    result.shard_seconds.append([shard.seconds for shard in shards])
    cases, judged, broken = _suite_figures(report)
    peak = max(peak_mib(shard.output) for shard in shards)
    return Sample(seconds, cases, judged, done.returncode == 0 and report["result"] == "pass", peak, broken)


def st_run(base_url: str, spec: str, scratch: Path, examples: int | None, workers: int = 1) -> Sample:
    report_path = scratch / "st.json"
    command = st_command(base_url, spec, report_path)
    command += ["--workers", str(workers)] + (["--max-examples", str(examples)] if examples else [])
    done = run([PYTHON, "-m", "bench.peak", *command], TIMEOUT)
    report = _read(report_path, "st run", done)
    cases, failures = report["test_cases"], report["failures"]
    broken = "; ".join(
        f"{failure['title']} ({failure['code']}): {failure['count']} cases on "
        f"{len(failure['operations'])} operations"
        for failure in failures
    )
    return Sample(
        done.seconds,
        int(cases["generated"]),
        int(report["operations"]["tested"]),
        done.returncode == 0,
        peak_mib(done.output),
        broken,
    )


def _record(result: LargeResult, tool: str, sample: Sample) -> None:
    runs = result.runs[tool]
    runs.seconds.append(sample.seconds)
    runs.cases.append(sample.cases)
    runs.operations.append(sample.operations)
    runs.passed.append(sample.passed)
    runs.peak_mib.append(sample.peak_mib)
    if sample.broken:
        result.broken.setdefault(tool, sample.broken)


def write_spec(directory: Path) -> str:
    path = directory / "many.yaml"
    path.write_text(yaml.safe_dump(many_operations(resource_document()), sort_keys=False), encoding="utf-8")
    return str(path)


def measure(rounds: int, logs: str, examples: int | None = None) -> LargeResult:
    """`rounds` runs of each tool, interleaved; `examples` (quick runs) bounds both tools' generated cases."""
    result = LargeResult(examples=examples)
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        spec = write_spec(scratch)
        result.spec_operations = len(load_api(Path(spec)).operations)
        port = free_port()
        command = [PYTHON, "-m", "contract_tests.server", "--spec", spec, "--host", "127.0.0.1"]
        log = REPO / logs / "reference-server-many.log"
        with serving([*command, "--port", str(port)], port, log, env={"ASSISTANTS_API_KEY": API_KEY}) as url:
            tools: list[tuple[str, Callable[[], Sample]]] = [
                (WHOLE, lambda: whole(url, spec, scratch, examples)),
                (SHARDED, lambda: sharded(url, spec, scratch, examples, result)),
                (ST, lambda: st_run(url, spec, scratch, examples)),
                (ST_WORKERS, lambda: st_run(url, spec, scratch, examples, workers=SHARDS)),
            ]
            for index in range(rounds):
                shift = index % len(tools)
                for tool, measure_one in tools[shift:] + tools[:shift]:
                    _record(result, tool, measure_one())
    for tool, runs in result.runs.items():
        if not all(runs.passed):
            said = result.broken.get(tool)
            result.notes.append(
                f"{tool} did not pass the reference server of this spec in {runs.passed.count(False)} of "
                f"{len(runs.passed)} run(s)" + (f"; it reported {said}." if said else ".")
            )
    return result
