"""Which operations one run judges: all of them, those named (`--operation`), or one shard's share
(`--shard I/N`), so that a CI matrix of N jobs runs the suite in parallel and the union of their verdicts
is one run's.

A shard's share is a set of whole groups: every operation of a resource and of the resources below it
(a thread, its messages, its runs and their steps) is one group, so that its state sequences run, and are
judged, in one shard; an operation of no resource is a group of its own. Groups are dealt to the shards
in a fixed order, the largest first to the lightest shard, so the same spec gives the same shares on
every machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contract_tests.api.model import Api, Operation
from contract_tests.api.resources import Resource

_SHARD = re.compile(r"(\d+)/(\d+)")


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    @staticmethod
    def parse(text: str) -> Shard:
        """`2/4`: the second of four shares (ValueError, in words, otherwise)."""
        found = _SHARD.fullmatch(text.strip())
        if found is None:
            raise ValueError(f"--shard must be I/N, such as 1/4, got {text!r}")
        index, count = int(found.group(1)), int(found.group(2))
        if count < 1 or not 1 <= index <= count:
            raise ValueError(f"--shard {text}: I must be between 1 and N, and N at least 1")
        return Shard(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def _root(resource: Resource) -> Resource:
    while resource.parent is not None:
        resource = resource.parent
    return resource


def groups(api: Api, labels: list[str]) -> list[list[str]]:
    """The operations that must run together, as lists of operationIds (or labels of operations the spec
    leaves unread), in the document's order."""
    by_key: dict[str, list[str]] = {}
    ops = {op.operation_id: op for op in api.operations}
    for label in labels:
        op: Operation | None = ops.get(label)
        found = api.role(op) if op is not None else None
        key = f"resource {_root(found[0]).collection}" if found is not None else f"operation {label}"
        by_key.setdefault(key, []).append(label)
    return list(by_key.values())


def share(api: Api, shard: Shard) -> set[str]:
    """The operationIds (and unread operations' labels) of one shard: whole groups, dealt the same way
    every time."""
    labels = [op.operation_id for op in api.operations] + list(api.unread)
    loads = [0] * shard.count
    mine: set[str] = set()
    ordered = sorted(groups(api, labels), key=lambda group: (-len(group), group[0]))
    for group in ordered:
        lightest = min(range(shard.count), key=lambda index: (loads[index], index))
        loads[lightest] += len(group)
        if lightest == shard.index - 1:
            mine.update(group)
    return mine


def selected(api: Api, operations: tuple[str, ...], shard: Shard | None) -> set[str] | None:
    """The operations a run judges (None: all); ValueError naming an operation the spec has not got."""
    known = {op.operation_id for op in api.operations} | set(api.unread)
    unknown = [name for name in operations if name not in known]
    if unknown:
        raise ValueError(f"--operation {unknown[0]!r}: the spec has no operation of that id")
    chosen: set[str] | None = set(operations) if operations else None
    if shard is not None:
        mine = share(api, shard)
        chosen = mine if chosen is None else chosen & mine
    return chosen
