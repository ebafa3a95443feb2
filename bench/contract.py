"""Item 2: `make contract` beside the plain schemathesis CLI (`st run --checks all`), on the same spec.

Both are timed end to end as a user runs them: `make contract` starts its own reference server,
`st run` is pointed at one this module starts. Cases per second is cases run over wall time.
Each gallery server (a deliberately broken implementation) counts as caught when the tool fails on it.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.procs import API_KEY, PYTHON, REPO, Finished, free_port, run, serving
from bench.stats import median

ST = str(REPO / ".venv" / "bin" / "st")
SPEC = "spec/openapi.yaml"
TIMEOUT = 180.0


@dataclass
class ToolRuns:
    seconds: list[float] = field(default_factory=list)
    cases: list[int] = field(default_factory=list)
    passed: list[bool] = field(default_factory=list)

    def median_seconds(self) -> float:
        return median(self.seconds)

    def cases_per_second(self) -> float:
        rates = [c / s for c, s in zip(self.cases, self.seconds, strict=True) if c and s]
        return median(rates)


@dataclass
class ContractResult:
    make_contract: ToolRuns | None = None
    st_run: ToolRuns = field(default_factory=ToolRuns)
    gallery: dict[str, dict[str, bool]] = field(default_factory=dict)  # server -> tool -> caught
    notes: list[str] = field(default_factory=list)


def st_run(base_url: str) -> tuple[Finished, int]:
    """The plain CLI with every check; its JSON report (auth header filtered) gives the case count."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "st.json"
        command = [ST, "run", SPEC, "--url", base_url, "--checks", "all", "--no-color"]
        command += ["-H", f"Authorization: Bearer {API_KEY}", "--generation-database", "none"]
        command += ["--report", "json", "--report-json-path", str(report)]
        done = run(command, TIMEOUT, cwd=REPO)
        cases = json.loads(report.read_text())["test_cases"]["generated"] if report.exists() else 0
    return done, int(cases)


_CASES = (
    re.compile(r"(\d+) generated"),  # schemathesis' summary
    re.compile(r"(\d+) (?:test )?cases?\b"),
    re.compile(r"(\d+) passed"),  # pytest's closing line
)


def contract_cases(output: str) -> int:
    """The number of cases `make contract` reports having run (0 when it does not say)."""
    for pattern in _CASES:
        found = pattern.findall(output)
        if found:
            return int(found[-1])
    return 0


def make_contract(base_url: str | None = None) -> Finished:
    env = {"API_KEY": API_KEY, "BASE_URL": base_url or ""}
    return run(["make", "--no-print-directory", "contract"], TIMEOUT, env=env)


def landed() -> bool:
    return (REPO / "scripts" / "contract").exists()


def measure(rounds: int, logs: str) -> ContractResult:
    result = ContractResult()
    if landed():
        result.make_contract = ToolRuns()
    else:
        result.notes.append("`scripts/contract` has not landed yet: only `st run` was measured.")
    port = free_port()
    command = [PYTHON, "-m", "contract_tests.server", "--host", "127.0.0.1", "--port", str(port)]
    log = REPO / logs / "reference-server-contract.log"
    with serving(command, port, log, env={"ASSISTANTS_API_KEY": API_KEY}) as base_url:
        for _ in range(rounds):
            done, cases = st_run(base_url)
            result.st_run.seconds.append(done.seconds)
            result.st_run.cases.append(cases)
            result.st_run.passed.append(done.returncode == 0)
            if result.make_contract is not None:
                ours = make_contract()
                result.make_contract.seconds.append(ours.seconds)
                result.make_contract.cases.append(contract_cases(ours.output))
                result.make_contract.passed.append(ours.returncode == 0)
    if result.make_contract is not None and not all(result.make_contract.passed):
        failed = result.make_contract.passed.count(False)
        result.notes.append(f"`make contract` failed on the reference server in {failed} run(s).")
    if not all(result.st_run.passed):
        result.notes.append("`st run` reported failures on the reference server.")
    return result
