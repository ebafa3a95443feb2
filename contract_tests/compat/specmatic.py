"""Runs Specmatic's backward-compatibility check on pairs of OpenAPI documents and reads its findings.

Specmatic (the pinned npm package, which ships its jar) compares an older and a newer document and
reports each change that breaks backward compatibility: a rule id such as R2001, a breadcrumb such
as ``REQUEST.BODY.description`` and a line and column in the newer document.

A JVM takes seconds to start, so many pairs are checked in one run: ``backward-compatibility-check``
compares every changed file of a git working tree with the base branch, so each pair becomes one
file of a throw-away repository (older text committed, newer text in the working tree). Specmatic
prints its findings for people; the same findings, structured, are in the CTRF report that it
embeds in its HTML report, which is what is read here.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract_tests.api.document import REPO_ROOT

SPECMATIC_JAR = REPO_ROOT / "node_modules" / "specmatic" / "specmatic.jar"
_REPORT = Path("build/reports/specmatic/backward_compatibility/html/index.html")
_REPORT_MARKER = "const report = "
# Short-lived JVM: the C1 compiler alone starts faster. Telemetry off: otherwise Specmatic looks up
# insights.specmatic.io on every run (harmless offline, but this check must need no network).
_JAVA_OPTIONS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dspecmatic.disable.telemetry=true"]
_TIMEOUT_SECONDS = 300


class SpecmaticError(Exception):
    """Java or Specmatic is missing, failed, or wrote no report that can be read."""


@dataclass(frozen=True)
class Finding:
    """One breaking change as Specmatic reports it."""

    rule: str  # e.g. "R2001"
    title: str  # e.g. "Missing required property"
    breadcrumb: str  # e.g. "REQUEST.BODY.description"
    line: int | None  # 1-based position in the newer document of the pair
    column: int | None
    message: str  # e.g. 'New specification expects property "name" in the request but it is missing ...'
    # The operation of the scenario that found it, e.g. ("/v1/assistants", "post", "200"): not part of
    # its identity (the words of a finding are the same in each scenario that meets it).
    operation: tuple[str, str, str] | None = field(default=None, compare=False)
    # Specmatic's own failure (an exception while it built examples), not a change it found breaking.
    tool_failure: bool = field(default=False, compare=False)
    alike: int = field(default=0, compare=False)  # more findings of this rule at this place (collapse)

    def reason(self, reversed_run: bool = False) -> str:
        """What Specmatic found, in words: its rule, the rule's title, where and its message.

        In a reversed run Specmatic took the old spec as the newer one, so its message says "new" for
        the old spec: the words are swapped back, so that the message speaks of this comparison.
        """
        rule = " ".join(filter(None, (self.rule if self.rule != "-" else "", self.title)))
        head = " ".join(filter(None, ("Specmatic", rule, "(new -> old)" if reversed_run else "")))
        where = f" at {self.breadcrumb}" if self.breadcrumb else ""
        message = _swap_old_and_new(self.message) if reversed_run else self.message
        if self.tool_failure:
            error = message.splitlines()[0] if message else "an error"
            return f"Specmatic failed{where} ({error}): judged by the project's rules alone"
        more = f" ({self.alike} more like it)" if self.alike else ""
        return f"{head}{where}: {message}{more}" if message else f"{head}{where}{more}"


# A JVM exception in a finding's text: Specmatic itself failed (e.g. an `exclusiveMinimum: 0` beside
# `maximum: 1` makes it draw a number from an empty range).
_JVM_EXCEPTION = re.compile(r"\b(?:java|kotlin|io\.specmatic)\.[\w.]*(?:Exception|Error)\b")
_OLD_OR_NEW = re.compile(r"\b(old|new)(?= (?:specification|contract)\b)", re.IGNORECASE)


def _swap_old_and_new(message: str) -> str:
    def swap(match: re.Match[str]) -> str:
        word = {"old": "new", "new": "old"}[match.group(1).lower()]
        return word.capitalize() if match.group(1)[0].isupper() else word

    return _OLD_OR_NEW.sub(swap, message)


# Specmatic draws a number from an exclusive range as if its bounds were a unit inside, and fails on
# `exclusiveMinimum: 0` beside `maximum: 1` (an empty range). It is shown both documents with their
# exclusive bounds as unknown extensions, which it ignores; the project's own rules judge the bounds.
_EXCLUSIVE_BOUND = re.compile(r"(?<![\w-])(exclusiveM(?:in|ax)imum)(?=[\"']?\s*:)")


def _for_specmatic(text: str) -> str:
    """`text` with each exclusive bound renamed `x-...`: same lines, so findings still locate."""
    return _EXCLUSIVE_BOUND.sub(r"x-\1", text)


def check_pairs(pairs: Sequence[tuple[str, str]], jobs: int | None = None) -> list[list[Finding]]:
    """For each (older text, newer text), the breaking changes Specmatic finds, in the same order.

    The pairs are split among `jobs` concurrent JVMs (default: one per CPU, at most two).
    """
    results: list[list[Finding]] = [[] for _ in pairs]
    pairs = [(_for_specmatic(older), _for_specmatic(newer)) for older, newer in pairs]
    changed = [index for index, (older, newer) in enumerate(pairs) if older != newer]
    if not changed:
        return results  # no JVM to start for identical texts
    jobs = jobs or min(2, os.cpu_count() or 1)
    chunks = [changed[start::jobs] for start in range(min(jobs, len(changed)))]
    with ThreadPoolExecutor(len(chunks)) as pool:
        runs = pool.map(lambda chunk: _check_in_one_jvm({i: pairs[i] for i in chunk}), chunks)
        for run in runs:
            for index, findings in run.items():
                results[index] = findings
    return results


def _check_in_one_jvm(pairs: dict[int, tuple[str, str]]) -> dict[int, list[Finding]]:
    java = shutil.which("java")
    if java is None:
        raise SpecmaticError("java is not on PATH (Specmatic needs Java 17 or later)")
    if not SPECMATIC_JAR.is_file():
        raise SpecmaticError(f"{SPECMATIC_JAR} is missing: run 'make bootstrap'")
    with tempfile.TemporaryDirectory(prefix="compat-") as tmp:
        repo = Path(tmp)
        _git(repo, "init", "--quiet", "--initial-branch=base")
        for index, (older, _) in pairs.items():
            (repo / _file_name(index)).write_text(older, encoding="utf-8")
        _git(repo, "add", ".")
        _git(repo, "commit", "--quiet", "--allow-empty", "--message=older documents")
        for index, (_, newer) in pairs.items():
            (repo / _file_name(index)).write_text(newer, encoding="utf-8")
        command = [java, *_JAVA_OPTIONS, "-jar", str(SPECMATIC_JAR)]
        command += ["backward-compatibility-check", "--base-branch=base"]
        try:
            done = subprocess.run(
                command,
                check=False,
                cwd=repo,
                env=_quiet_env(),
                capture_output=True,
                text=True,
                timeout=_TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired as exc:
            raise SpecmaticError(f"Specmatic did not finish within {_TIMEOUT_SECONDS} s") from exc
        report_path = repo / _REPORT
        if not report_path.is_file():
            raise SpecmaticError(f"Specmatic wrote no report (exit {done.returncode}): {_last_line(done)}")
        report = _embedded_report(report_path.read_text(encoding="utf-8"))
    by_file = _findings_by_file(report)
    if any(_file_name(index) not in by_file for index in pairs):
        # Never take a document Specmatic could not load for one without breaking changes.
        raise SpecmaticError(f"Specmatic could not check a document: {_last_line(done)}")
    return {index: by_file[_file_name(index)] for index in pairs}


def _file_name(index: int) -> str:
    return f"pair-{index:03d}.yaml"


def _git(repo: Path, *args: str) -> None:
    try:
        subprocess.run(["git", *args], cwd=repo, env=_quiet_env(), check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SpecmaticError(f"git {args[0]} failed in a temporary directory: {exc}") from exc


def _quiet_env() -> dict[str, str]:
    """The environment for git and Specmatic: no user git config, no telemetry."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "SPECMATIC_"))}
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="compat",
        GIT_AUTHOR_EMAIL="compat@localhost",
        GIT_COMMITTER_NAME="compat",
        GIT_COMMITTER_EMAIL="compat@localhost",
        SPECMATIC_DISABLE_TELEMETRY="true",
    )
    return env


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def _embedded_report(html: str) -> dict[str, Any]:
    start = html.find(_REPORT_MARKER)
    if start < 0:
        raise SpecmaticError("Specmatic's HTML report holds no CTRF report (has its format changed?)")
    try:
        report, _ = json.JSONDecoder().raw_decode(html, start + len(_REPORT_MARKER))
    except json.JSONDecodeError as exc:
        raise SpecmaticError(f"cannot read the CTRF report in Specmatic's HTML report: {exc}") from exc
    if not isinstance(report, dict):
        raise SpecmaticError("the CTRF report in Specmatic's HTML report is not an object")
    return report


def _findings_by_file(report: dict[str, Any]) -> dict[str, list[Finding]]:
    """The distinct breaking changes of each checked file. Specmatic repeats one per scenario: it is
    kept once per operation (the same words in two operations may have two causes, one in each)."""
    found: dict[str, dict[tuple[Finding, tuple[str, ...]], Finding]] = {}
    for test in report.get("results", {}).get("tests", []):
        findings = found.setdefault(Path(test.get("suite", "")).name, {})
        for change in test.get("extra", {}).get("breakingChanges", []):
            locations = change.get("sourceLocations") or [{}]
            rule = change.get("rule") or {}
            finding = Finding(
                rule=rule.get("id", "-"),
                title=rule.get("title", ""),
                breadcrumb=change.get("breadcrumb", ""),
                line=locations[0].get("line"),
                column=locations[0].get("column"),
                message=change.get("description", ""),
                operation=_operation_of(test),
            )
            findings.setdefault((finding, finding.operation[:2] if finding.operation else ()), finding)
    return {name: list(findings.values()) for name, findings in found.items()}


def collapse(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per rule and place, counting the others: Specmatic draws random values, and reports
    each one that fails (`but "PYDSM" in the old specification`, `but "KXJMA" ...`)."""
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.rule, finding.title, finding.breadcrumb), []).append(finding)
    return [
        dataclasses.replace(group[0], alike=len({finding.message for finding in group}) - 1)
        for group in groups.values()
    ]


def mark_tool_failures(*runs: list[Finding]) -> tuple[list[Finding], ...]:
    """The findings of the runs of one pair, those that are Specmatic's own failures marked so.

    A failure comes back as a finding without a rule: in one direction with the exception's class
    name, in the other (or another scenario) often as its bare message; both are recognized.
    """
    errors = " ".join(
        finding.message for run in runs for finding in run if _JVM_EXCEPTION.search(finding.message)
    )

    def failed(finding: Finding) -> bool:
        return finding.rule == "-" and bool(finding.message.strip()) and finding.message.strip() in errors

    return tuple(
        [dataclasses.replace(finding, tool_failure=True) if failed(finding) else finding for finding in run]
        for run in runs
    )


def _operation_of(test: dict[str, Any]) -> tuple[str, str, str] | None:
    """The path, method and status of a CTRF test, from its tags ("path:/v1/assistants", ...)."""
    tags = dict(tag.split(":", 1) for tag in test.get("tags", []) if isinstance(tag, str) and ":" in tag)
    if "path" not in tags or "method" not in tags:
        return None
    return tags["path"], tags["method"].lower(), tags.get("status", "")
