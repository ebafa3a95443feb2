"""The mock as replicas on one store: what one replica finds is in every replica's report (served at
`GET /__contract/report`, printed and written at the end), in the report's own shape; replicas alive
together share one run, and a mock started alone reports its own requests only; `--workers 2` reports
what each worker found."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from contract_tests.api.document import REPO_ROOT, SPEC_PATH
from contract_tests.api.model import load_api
from contract_tests.api.resources import Role
from contract_tests.asgi import REPORT_PATH
from contract_tests.masking import Masker
from contract_tests.mock.shared_report import REPLICAS, ROWS, STALE_SECONDS, SharedTallies
from contract_tests.rules.report import CLIENT, DETAILED, Finding, TrafficReport
from contract_tests.server.store import SqliteStore, Store
from tests import spec_facts as facts
from tests.server.postgres import password_of
from tests.server.processes import Started, started
from tests.server.resource_client import Client, write_grown_spec

KEY = "sk-test-replicas-7c1e5a"
MASK = Masker(KEY)


def _finding(rule: str, operation: str = "someOperation", where: str = "/name") -> Finding:
    return Finding(
        side=CLIENT,
        rule=rule,
        operation=operation,
        where=where,
        message=f"{where}: broke {rule}",
        request={"method": "POST", "url": "http://127.0.0.1/things", "headers": {}, "body": {"n": 1}},
        status=None,
        reproduce="curl -i -X POST http://127.0.0.1/things",
    )


def _feed(report: TrafficReport, events: list[Finding | None]) -> None:
    """Judge as the traffic judge does: a request each, a finding kept in detail while there is room."""
    for event in events:
        report.judged()
        if event is None:
            continue
        if report.keeps(event.side, event.operation, event.rule):
            report.add(event)
        else:
            report.count(event.side, event.operation, event.rule)


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[list[Store]]:
    """Three connections to one SQLite state, as three replicas of one machine hold."""
    opened = [SqliteStore(tmp_path / "state.sqlite") for _ in range(3)]
    yield list(opened)
    for store in opened:
        store.close()


def test_a_shared_report_has_the_shape_and_figures_of_a_report_in_memory(stores: list[Store]) -> None:
    events: list[Finding | None] = [
        None,
        _finding("body_valid"),
        _finding("api_key_sent", where="Authorization"),
    ]
    events += [_finding("body_valid", where=f"/tools/{index}") for index in range(5)] + [None]
    local, shared = TrafficReport(MASK, "mock"), TrafficReport(MASK, "mock", SharedTallies(stores[0]))
    _feed(local, events)
    _feed(shared, events)
    assert shared.as_json() == local.as_json()
    assert shared.summary() == local.summary()
    assert local.as_json()["requests"] == 9 and local.broken(CLIENT) == 7


def test_what_one_replica_finds_is_in_every_replicas_report(stores: list[Store]) -> None:
    one, other = SharedTallies(stores[0]), SharedTallies(stores[1])
    assert one.run == other.run
    first, second = TrafficReport(MASK, "mock", one), TrafficReport(MASK, "mock", other)
    _feed(first, [_finding("body_valid", where=f"/a{index}") for index in range(DETAILED)] + [None])
    _feed(second, [_finding("body_valid", where=f"/b{index}") for index in range(DETAILED + 1)])
    _feed(second, [_finding("api_key_sent", where="Authorization")])
    for report in (first, second):
        tallies = report.tallies
        body = tallies[(CLIENT, "someOperation", "body_valid")]
        assert body.count == 2 * DETAILED + 1
        # The first found, in the store's order: the first replica's.
        assert [finding.where for finding in body.kept] == [f"/a{index}" for index in range(DETAILED)]
        assert tallies[(CLIENT, "someOperation", "api_key_sent")].count == 1
        assert report.requests == 2 * DETAILED + 3
    assert first.as_json() == second.as_json()


def test_a_replica_started_alone_begins_a_new_run(stores: list[Store]) -> None:
    before = SharedTallies(stores[0])
    _feed(TrafficReport(MASK, "mock", before), [_finding("body_valid")])
    joined = SharedTallies(stores[1])
    assert joined.run == before.run and joined.read()[0] == 1
    before.close()
    joined.close()
    again = SharedTallies(stores[2])
    assert again.run != before.run
    assert again.read() == (0, {}), "a new run reports the last run's findings"
    assert stores[2].items(ROWS) == [], "the rows of the run before were kept"
    assert [key for key, _ in stores[2].items(REPLICAS)] == [again.me]
    again.close()


def test_a_replica_whose_record_went_stale_is_no_longer_joined(stores: list[Store]) -> None:
    silent = SharedTallies(stores[0])
    _feed(TrafficReport(MASK, "mock", silent), [_finding("body_valid")])
    later = SharedTallies(stores[1], clock=lambda: time.time() + STALE_SECONDS + 1)
    assert later.run != silent.run and later.read() == (0, {})
    later.close()
    silent.close()


def test_a_supervisor_ending_removes_the_records_of_its_workers(stores: list[Store]) -> None:
    supervisor = SharedTallies(stores[0])
    workers = [SharedTallies(stores[1], group=supervisor.me), SharedTallies(stores[2], group=supervisor.me)]
    assert {worker.run for worker in workers} == {supervisor.run}
    for worker in workers:  # ended by SIGTERM: they never close
        worker._stopped.set()
    supervisor.close()
    assert stores[0].items(REPLICAS) == []


# --- mock processes ---------------------------------------------------------------------------------


def _mock(state: str, *extra: str, spec: Path = SPEC_PATH) -> AbstractContextManager[Started]:
    argv = ["contract_tests", "mock", "--spec", str(spec), "--state", state, *extra]
    return started(argv, REPORT_PATH, env={"API_KEY": KEY})


def _too_long() -> dict[str, Any]:
    field = facts.first_with("maxLength", kind="string")
    example: dict[str, Any] = max(facts.seed().examples.values(), key=len)
    return {**example, field.name: "x" * (field.schema["maxLength"] + 1)}


def _create_url(url: str) -> str:
    return url + load_api(SPEC_PATH).base_path + facts.seed().path


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {KEY}", **facts.seed().required_headers()}


def _rules(report: dict[str, Any]) -> set[str]:
    return {finding["rule"] for finding in report["findings"] if finding["side"] == CLIENT}


def test_a_finding_on_one_mock_is_in_the_report_of_the_other(postgres_url: str, tmp_path: Path) -> None:
    spec = write_grown_spec(tmp_path)
    api = load_api(spec)
    (resource,) = api.resources
    junit = tmp_path / "other.xml"
    with (
        _mock(postgres_url, spec=spec) as one,
        _mock(postgres_url, "--report", str(junit), spec=spec) as other,
        httpx.Client(base_url=one.url, timeout=30) as first,
        httpx.Client(base_url=other.url, timeout=30) as second,
    ):
        made = Client(first, api, resource, KEY).create()
        key = Client(second, api, resource, KEY).id_of(made)
        assert Client(second, api, resource, KEY).call(Role.RETRIEVE, key).json() == made
        refused = first.post(_create_url(""), json=_too_long(), headers=_headers())
        assert 400 <= refused.status_code < 500, refused.text
        report = second.get(REPORT_PATH).json()
        assert "body_valid" in _rules(report), report
        assert report["requests"] == 3 and report["violations"][CLIENT] == 1
        assert first.get(REPORT_PATH).json() == report
    # Stopped (SIGTERM): each prints the report of both, and the other writes it.
    for replica in (one, other):
        assert replica.process.returncode == 1, replica.out + replica.err
        assert "BROKEN by the client: body_valid" in replica.out and "in 3 requests" in replica.out
        assert (
            KEY not in replica.out + replica.err
            and password_of(postgres_url) not in replica.out + replica.err
        )
    assert 'name="body_valid"' in junit.read_text(encoding="utf-8")


@contextmanager
def _paused(pid: int) -> Iterator[None]:
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def test_mock_workers_report_what_each_worker_found(tmp_path: Path) -> None:
    with _mock(str(tmp_path / "state.sqlite"), "--workers", "2") as served:
        workers = served.worker_pids()
        assert len(workers) == 2, f"{len(workers)} workers serve, not 2"
        with _paused(workers[1]):  # the first worker judges it
            httpx.post(_create_url(served.url), json=_too_long(), headers=_headers(), timeout=30)
        with _paused(workers[0]):  # the second one judges it
            httpx.post(_create_url(served.url), json=_too_long(), headers=facts.seed().required_headers())
            report = httpx.get(served.url + REPORT_PATH, timeout=30).json()
        assert {"body_valid", "api_key_sent"} <= _rules(report) and report["requests"] == 2, report
    assert served.process.returncode == 1, served.out + served.err
    assert (
        "BROKEN by the client: api_key_sent" in served.out
        and "BROKEN by the client: body_valid" in served.out
    )


def test_mock_workers_judge_a_command_and_fail_it(tmp_path: Path) -> None:
    child = [sys.executable, "-m", "contract_tests.gallery.clients", "string_over_its_limit"]
    state = str(tmp_path / "state.sqlite")
    done = subprocess.run(
        [sys.executable, "-m", "contract_tests", "mock", "--state", state, "--workers", "2", "--", *child],
        cwd=REPO_ROOT,
        env={**os.environ, "API_KEY": KEY},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "2 workers" in done.stdout and "BROKEN by the client: body_valid" in done.stdout
    assert "operation_declared" not in done.stdout, "the mock judged its own start-up probe"
