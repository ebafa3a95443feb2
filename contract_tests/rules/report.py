"""What a judging mock or proxy found on the traffic: each broken rule, on the side that broke it.

A finding names the side (the client sent what the spec forbids; the server answered what the spec does
not allow), the rule, the operation, where in the request or response, a message in words, the request
as JSON and a reproduction. The report is a summary in words, a JUnit XML file (a test suite per side, a
test case per operation and rule) and JSON (what `GET /__contract/report` answers).
"""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from contract_tests.masking import Masker, printable
from contract_tests.rules.checks import rule_of
from contract_tests.rules.exchange import NOT_JSON, Sent, parse_json
from contract_tests.rules.requests import CLIENT_RULE_TEXT

CLIENT, SERVER = "client", "server"
DETAILED = 3  # findings kept in full per side, operation and rule; the rest are counted


@dataclass(frozen=True)
class Finding:
    side: str  # CLIENT or SERVER
    rule: str
    operation: str
    where: str
    message: str
    request: dict[str, Any]  # method, url, headers, body (as JSON where it is JSON)
    status: int | None  # of the response, if there was one
    reproduce: str


def request_as_json(sent: Sent, mask: Masker) -> dict[str, Any]:
    body = parse_json(sent.body) if sent.body else None
    return {
        "method": sent.method,
        "url": mask(sent.url),
        "headers": {name: mask(value) for name, value in sent.headers},
        "body": mask(printable(sent.body.decode("utf-8", "replace"))) if body is NOT_JSON else body,
    }


@dataclass
class Tally:
    count: int = 0
    kept: list[Finding] = field(default_factory=list)


class TrafficReport:
    """The findings of one mock or proxy, kept as they come (from any thread)."""

    def __init__(self, mask: Masker, tool: str) -> None:
        self.mask = mask
        self.tool = tool  # "mock" or "proxy"
        self.requests = 0
        self.tallies: dict[tuple[str, str, str], Tally] = {}  # (side, operation, rule)
        self._lock = threading.Lock()

    def judged(self) -> None:
        with self._lock:
            self.requests += 1

    def keeps(self, side: str, operation: str, rule: str) -> bool:
        """Whether a finding of this kind would be kept in detail (else `add` only counts it): a busy
        client repeats its faults thousands of times, and a reproduction costs more than the judging."""
        tally = self.tallies.get((side, operation, rule))
        return tally is None or len(tally.kept) < DETAILED

    def count(self, side: str, operation: str, rule: str) -> None:
        """One more of a kind already kept in detail."""
        with self._lock:
            self.tallies.setdefault((side, operation, rule), Tally()).count += 1

    def add(self, finding: Finding) -> None:
        key = (finding.side, finding.operation, finding.rule)
        with self._lock:
            tally = self.tallies.setdefault(key, Tally())
            tally.count += 1
            if len(tally.kept) < DETAILED:
                tally.kept.append(finding)

    def broken(self, side: str) -> int:
        return sum(tally.count for (owner, _, _), tally in self.tallies.items() if owner == side)

    @property
    def passed(self) -> bool:
        return not self.tallies

    def as_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "tool": self.tool,
                "requests": self.requests,
                "violations": {side: self.broken(side) for side in (CLIENT, SERVER)},
                "findings": [
                    {**asdict(finding), "count": tally.count}
                    for tally in self.tallies.values()
                    for finding in tally.kept[:1]
                ],
            }

    def summary(self) -> str:
        lines = [f"Contract {self.tool}: {self.requests} requests judged"]
        with self._lock:
            items = sorted(self.tallies.items())
        for (side, operation, rule), tally in items:
            lines += [
                "",
                f"BROKEN by the {side}: {rule} on {operation}, {tally.count} times",
                f"  rule: {_rule(side, rule)}",
            ]
            for finding in tally.kept:
                lines += [f"  where: {finding.where}: {finding.message}"]
                lines += [f"    request: {self.mask(json.dumps(finding.request, ensure_ascii=False))[:600]}"]
                if finding.status is not None:
                    lines += [f"    answered: {finding.status}"]
                lines += [f"    reproduce: {finding.reproduce}"]
        client, server = self.broken(CLIENT), self.broken(SERVER)
        lines.append("")
        if not items:
            lines.append(f"RESULT: PASS, no rule of the contract broken in {self.requests} requests")
        else:
            lines.append(
                f"RESULT: FAIL, the client broke the contract {client} times, the server {server} times,"
                f" in {self.requests} requests"
            )
        return self.mask("\n".join(printable(line) if not line.startswith("  ") else line for line in lines))

    def write_junit(self, path: Path) -> None:
        root = ET.Element("testsuites", name=f"contract {self.tool}", tests=str(len(self.tallies) or 1))
        with self._lock:
            items = sorted(self.tallies.items())
        for side in (CLIENT, SERVER):
            mine = [(key, tally) for key, tally in items if key[0] == side]
            suite = ET.SubElement(
                root, "testsuite", name=f"the {side}", tests=str(max(len(mine), 1)), failures=str(len(mine))
            )
            if not mine:
                ET.SubElement(
                    suite,
                    "testcase",
                    classname=f"contract.{side}",
                    name=f"no rule broken in {self.requests} requests",
                )
            for (_, operation, rule), tally in mine:
                case = ET.SubElement(suite, "testcase", classname=f"contract.{side}.{operation}", name=rule)
                text = "\n\n".join(
                    f"{finding.where}: {finding.message}\n{json.dumps(finding.request, ensure_ascii=False)}\n"
                    f"reproduce: {finding.reproduce}"
                    for finding in tally.kept
                )
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=printable(self.mask(f"{tally.count} times: {tally.kept[0].message}")),
                )
                failure.text = printable(self.mask(text))
        path.parent.mkdir(parents=True, exist_ok=True)
        ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _rule(side: str, rule: str) -> str:
    if side == CLIENT:
        return CLIENT_RULE_TEXT.get(rule, rule)
    try:
        return rule_of(rule)
    except KeyError:
        return rule
