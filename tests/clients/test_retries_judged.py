"""A retry is judged only where it is known to be one: a request that says it is (a retry count above 0,
an `Idempotency-Key` sent again), or one repeating a request the mock answered with a fault of its own.
The same request an application sends on purpose (a poll, the same retrieve twice) is never judged as a
retry, whatever the answer before it (openai-python's own test suite had 448 false alarms so)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from contract_tests.api.model import Api, Operation, load_api
from contract_tests.api.parameters import text_of
from contract_tests.api.resources import Role
from contract_tests.masking import Masker
from contract_tests.mock.app import JudgingMock, served_prefixes
from contract_tests.mock.faults import FaultPlan
from contract_tests.proxy.app import ValidatingProxy
from contract_tests.rules.clients import FAULT_HEADER, ClientHistory, fingerprint, marks_of
from contract_tests.rules.exchange import Sent
from contract_tests.rules.report import CLIENT, TrafficReport
from contract_tests.rules.traffic import TrafficJudge
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread

KEY = "sk-test-retries-4c1d8e"
RETRY_RULES = {"client_errors_not_retried", "retry_after_respected"}


@contextmanager
def mock(spec: Path, faults: str | None = None) -> Iterator[tuple[str, TrafficReport]]:
    api = load_api(spec)
    report = TrafficReport(Masker(KEY), "mock")
    judge = TrafficJudge(api, KEY, Masker(KEY), report, Path("/tmp"), served_prefixes(api))
    app = JudgingMock(create_app(api_key=KEY, spec_path=spec), api, judge, FaultPlan.parse(faults))
    with serve_in_thread(app) as url:
        yield url, report


def _rules(report: TrafficReport) -> set[str]:
    return {rule for (side, _, rule) in report.tallies if side == CLIENT}


def _op(api: Api, role: Role) -> Operation:
    for resource in api.resources:
        found = resource.first(role)
        if found is not None:
            return found
    raise AssertionError(f"the spec has no {role.value}")


def _headers(api: Api, op: Operation, **extra: str) -> dict[str, str]:
    found = {"Authorization": f"Bearer {KEY}"}
    for parameter in op.headers:
        if parameter.required:
            found[parameter.name] = text_of(api.parameter_example(parameter))
    return {**found, **extra}


def _item_url(url: str, api: Api, op: Operation, key: str) -> str:
    (parameter,) = op.path_parameters
    return url + api.base_path + op.path.replace("{" + parameter.name + "}", key)


def _create(url: str, api: Api, **extra: str) -> httpx.Response:
    op = _op(api, Role.CREATE)
    return httpx.post(
        url + api.base_path + op.path,
        json=api.example_body(op),
        headers=_headers(api, op, **extra),
        timeout=30,
    )


def test_a_poll_and_the_same_retrieve_twice_are_no_retries(resource_spec: Path) -> None:
    api = load_api(resource_spec)
    retrieve = _op(api, Role.RETRIEVE)
    resource, _ = api.role(retrieve) or (None, None)
    assert resource is not None
    with mock(resource_spec) as (url, report), httpx.Client(timeout=30) as client:
        made = _create(url, api)
        assert made.status_code == _op(api, Role.CREATE).success_status, made.text
        key = text_of(resource.id_of(made.json()))
        statuses = [
            client.get(_item_url(url, api, retrieve, named), headers=_headers(api, retrieve)).status_code
            for named in (key, key, key, "never-made", "never-made", "never-made")
        ]
    assert statuses[:3] == [retrieve.success_status] * 3 and len(set(statuses[3:])) == 1, statuses
    assert report.requests == 7
    assert not _rules(report), report.summary()


@pytest.mark.parametrize(
    ("marks", "judged"),
    [
        ((None, None), False),  # no marker: a call made on purpose
        (({"x-stainless-retry-count": "0"}, {"x-stainless-retry-count": "1"}), True),
        (({"x-stainless-retry-count": "0"}, {"x-stainless-retry-count": "0"}), False),  # a new call
        (({"Idempotency-Key": "call-1"}, {"Idempotency-Key": "call-1"}), True),  # the same call again
        (({"Idempotency-Key": "call-1"}, {"Idempotency-Key": "call-2"}), False),  # another call
    ],
)
def test_a_refusal_sent_again_is_judged_only_when_it_says_it_is_a_retry(
    resource_spec: Path, marks: tuple[dict[str, str] | None, dict[str, str] | None], judged: bool
) -> None:
    api = load_api(resource_spec)
    retrieve = _op(api, Role.RETRIEVE)
    with mock(resource_spec) as (url, report), httpx.Client(timeout=30) as client:
        statuses = [
            client.get(
                _item_url(url, api, retrieve, "never-made"), headers=_headers(api, retrieve, **(extra or {}))
            ).status_code
            for extra in marks
        ]
    assert statuses[0] == statuses[1] and 400 <= statuses[0] < 500 and statuses[0] not in (408, 409, 429)
    assert ("client_errors_not_retried" in _rules(report)) is judged, report.summary()
    if judged:
        (finding,) = [
            found
            for (side, _, rule), tally in report.tallies.items()
            for found in tally.kept
            if rule == "client_errors_not_retried"
        ]
        assert f"after a {statuses[0]} refused it" in finding.message
        assert "curl" in finding.reproduce and KEY not in finding.reproduce


def test_the_repeat_of_a_429_the_mock_drew_is_a_retry_judged_by_its_wait(resource_spec: Path) -> None:
    """`--faults` answers the second request 429 asking for 2 s: the same request sent again at once is
    a retry (the client met a fault, not an answer) and breaks retry_after_respected."""
    api = load_api(resource_spec)
    with mock(resource_spec, "429;retry-after=2:1/2") as (url, report):
        statuses = [_create(url, api).status_code for _ in range(3)]
    assert statuses[1] == 429 and statuses[2] != 429, statuses
    assert _rules(report) == {"retry_after_respected"}, report.summary()


def test_a_new_call_after_a_drawn_429_says_so_with_its_retry_count(resource_spec: Path) -> None:
    api = load_api(resource_spec)
    with mock(resource_spec, "429;retry-after=2:1/2") as (url, report):
        statuses = [_create(url, api, **{"x-stainless-retry-count": "0"}).status_code for _ in range(3)]
    assert statuses[1] == 429, statuses
    assert not _rules(report), report.summary()


def test_the_mock_marks_its_faults_and_a_proxy_in_front_of_it_knows_them(resource_spec: Path) -> None:
    api = load_api(resource_spec)
    with mock(resource_spec, "429;retry-after=2:1/2") as (upstream, _):
        report = TrafficReport(Masker(KEY), "proxy")
        judge = TrafficJudge(api, KEY, Masker(KEY), report, Path("/tmp"))
        with serve_in_thread(ValidatingProxy(upstream, judge)) as url:
            answers = [_create(url, api) for _ in range(3)]
    assert answers[1].status_code == 429 and answers[1].headers[FAULT_HEADER] == "429"
    assert FAULT_HEADER not in answers[0].headers
    assert _rules(report) == {"retry_after_respected"}, report.summary()


def _sent(**headers: str) -> Sent:
    return Sent("GET", "http://127.0.0.1/v1/things/t1", list(headers.items()))


def test_a_wait_the_server_asked_for_binds_only_a_known_retry() -> None:
    """A 429 the server (not the mock) answered: a poll sent again at once may be another call; a request
    that says it is a retry is judged by the wait."""
    history = ClientHistory()
    first = _sent()
    history.answered(fingerprint(first), 429, {"retry-after": "2"}, now=100.0, marks=marks_of(first))
    assert history.judge(fingerprint(first), 100.1, marks_of(_sent())) == []
    again = _sent(**{"x-stainless-retry-count": "1"})
    assert fingerprint(again) == fingerprint(first)
    (found,) = history.judge(fingerprint(again), 100.1, marks_of(again))
    assert found.check == "retry_after_respected" and "asked to wait 2 s" in found.message
    assert history.judge(fingerprint(again), 102.1, marks_of(again)) == []


@pytest.mark.parametrize(
    ("headers", "tries", "key"),
    [
        ({}, None, None),
        ({"X-Stainless-Retry-Count": "2"}, 2, None),
        ({"x-stainless-retry-count": "soon"}, None, None),
        ({"Idempotency-Key": "stainless-python-retry-1"}, None, "stainless-python-retry-1"),
    ],
)
def test_what_a_request_says_of_itself(headers: dict[str, Any], tries: int | None, key: str | None) -> None:
    marks = marks_of(_sent(**headers))
    assert (marks.tries_before, marks.idempotency_key) == (tries, key)
