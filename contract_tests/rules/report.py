"""What a judging mock or proxy found on the traffic: each broken rule, on the side that broke it.

A finding names the side (the client sent what the spec forbids; the server answered what the spec does
not allow), the rule, the operation, where in the request or response, a message in words, the request
as JSON and a reproduction. The report is a summary in words, a JUnit XML file (a test suite per side, a
test case per operation and rule) and JSON (what `GET /__contract/report` answers). Its tallies are kept
in the process's memory, or, for a mock's replicas on one store, where every replica adds to them
(contract_tests/mock/shared_report.py).
"""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from contract_tests.masking import Masker, printable, times
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


Kind = tuple[str, str, str]  # (side, operation, rule)


@dataclass
class Tally:
    count: int = 0
    kept: list[Finding] = field(default_factory=list)


class Tallies(Protocol):
    """Where a report keeps what it found: this process's memory, or a store its replicas share."""

    def judged(self) -> None:
        """One more request judged."""

    def room(self, kind: Kind) -> bool:
        """Whether a finding of `kind` would still be kept in detail."""

    def add(self, kind: Kind, finding: Finding | None) -> None:
        """One more of `kind`; `finding` is kept in detail while there is room."""

    def read(self) -> tuple[int, dict[Kind, Tally]]:
        """The requests judged and the tallies, as they are now."""


class LocalTallies:
    """The findings of this process, in its memory (from any thread)."""

    def __init__(self) -> None:
        self.requests = 0
        self.tallies: dict[Kind, Tally] = {}
        self._lock = threading.Lock()

    def judged(self) -> None:
        with self._lock:
            self.requests += 1

    def room(self, kind: Kind) -> bool:
        tally = self.tallies.get(kind)
        return tally is None or len(tally.kept) < DETAILED

    def add(self, kind: Kind, finding: Finding | None) -> None:
        with self._lock:
            tally = self.tallies.setdefault(kind, Tally())
            tally.count += 1
            if finding is not None and len(tally.kept) < DETAILED:
                tally.kept.append(finding)

    def read(self) -> tuple[int, dict[Kind, Tally]]:
        with self._lock:
            return self.requests, {kind: Tally(t.count, list(t.kept)) for kind, t in self.tallies.items()}


class TrafficReport:
    """The findings of one mock or proxy (or of every replica of a mock, with shared `tallies`)."""

    def __init__(self, mask: Masker, tool: str, tallies: Tallies | None = None) -> None:
        self.mask = mask
        self.tool = tool  # "mock" or "proxy"
        self.kept: Tallies = tallies if tallies is not None else LocalTallies()

    @property
    def requests(self) -> int:
        return self.kept.read()[0]

    @property
    def tallies(self) -> dict[Kind, Tally]:
        return self.kept.read()[1]

    def judged(self) -> None:
        self.kept.judged()

    def keeps(self, side: str, operation: str, rule: str) -> bool:
        """Whether a finding of this kind would be kept in detail (else `add` only counts it): a busy
        client repeats its faults thousands of times, and a reproduction costs more than the judging."""
        return self.kept.room((side, operation, rule))

    def count(self, side: str, operation: str, rule: str) -> None:
        """One more of a kind already kept in detail."""
        self.kept.add((side, operation, rule), None)

    def add(self, finding: Finding) -> None:
        self.kept.add((finding.side, finding.operation, finding.rule), finding)

    def broken(self, side: str) -> int:
        return _broken(self.tallies, side)

    @property
    def passed(self) -> bool:
        return not self.tallies

    def as_json(self) -> dict[str, Any]:
        requests, tallies = self.kept.read()
        return {
            "tool": self.tool,
            "requests": requests,
            "violations": {side: _broken(tallies, side) for side in (CLIENT, SERVER)},
            "findings": [
                {**asdict(finding), "count": tally.count}
                for tally in tallies.values()
                for finding in tally.kept[:1]
            ],
        }

    def summary(self) -> str:
        requests, tallies = self.kept.read()
        items = sorted(tallies.items())
        lines = [f"Contract {self.tool}: {requests} requests judged"]
        for (side, operation, rule), tally in items:
            lines += [
                "",
                f"BROKEN by the {side}: {rule} on {operation}, {times(tally.count)}",
                f"  rule: {_rule(side, rule)}",
            ]
            for finding in tally.kept:
                lines += [f"  where: {finding.where}: {finding.message}"]
                lines += [f"    request: {self.mask(json.dumps(finding.request, ensure_ascii=False))[:600]}"]
                if finding.status is not None:
                    lines += [f"    answered: {finding.status}"]
                lines += [f"    reproduce: {finding.reproduce}"]
        client, server = _broken(tallies, CLIENT), _broken(tallies, SERVER)
        lines.append("")
        if not items:
            lines.append(f"RESULT: PASS, no rule of the contract broken in {requests} requests")
        else:
            lines.append(
                f"RESULT: FAIL, the client broke the contract {times(client)}, the server {times(server)},"
                f" in {requests} requests"
            )
        return self.mask("\n".join(printable(line) if not line.startswith("  ") else line for line in lines))

    def write_junit(self, path: Path) -> None:
        requests, tallies = self.kept.read()
        items = sorted(tallies.items())
        root = ET.Element("testsuites", name=f"contract {self.tool}", tests=str(len(items) or 1))
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
                    name=f"no rule broken in {requests} requests",
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
                    message=printable(self.mask(f"{times(tally.count)}: {tally.kept[0].message}")),
                )
                failure.text = printable(self.mask(text))
        path.parent.mkdir(parents=True, exist_ok=True)
        ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _broken(tallies: dict[Kind, Tally], side: str) -> int:
    return sum(tally.count for (owner, _, _), tally in tallies.items() if owner == side)


def _rule(side: str, rule: str) -> str:
    if side == CLIENT:
        return CLIENT_RULE_TEXT.get(rule, rule)
    try:
        return rule_of(rule)
    except KeyError:
        return rule
