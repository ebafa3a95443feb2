"""The `contract_mock` pytest fixture, run by pytester in a test suite of its own: a client that keeps the
contract passes; one that breaks it fails with the rule named (where, why, a reproduction, the key
masked); a fault asked for is served, and a client that retries it too soon fails; the options come from
a marker or from the `contract_mock_options` fixture; the environment is restored after the test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract_tests.api.document import SPEC_PATH
from contract_tests.api.model import load_api
from contract_tests.api.resources import Role
from tests import spec_facts as facts

pytest_plugins = ("pytester",)
HERE = Path(__file__).resolve().parent


def _client_module(body: object, extra: str = "") -> str:
    """A test module whose client posts `body` to the seed's operation, where the mock's environment
    says the server is (BASE_URL, API_KEY), with the spec's required headers."""
    seed = facts.seed()
    api = load_api(SPEC_PATH)
    return f"""
import os, time
import httpx
import pytest

HEADERS = {json.dumps(seed.required_headers())}
PATH = {json.dumps(api.base_path + seed.path)}
BODY = {json.dumps(body)}


def post(**extra):
    headers = {{"Authorization": "Bearer " + os.environ["API_KEY"], **HEADERS, **extra}}
    return httpx.post(os.environ["BASE_URL"] + PATH, json=BODY, headers=headers, timeout=30)
{extra}
"""


def _valid() -> dict[str, Any]:
    richest: dict[str, Any] = max(facts.seed().examples.values(), key=len)
    return richest


def _invalid() -> dict[str, Any]:
    return {**_valid(), "x_contract_unknown_field": 1}


def test_a_client_that_keeps_the_contract_passes(pytester: pytest.Pytester) -> None:
    success = facts.seed().success_status
    pytester.makepyfile(
        _client_module(
            _valid(),
            f"""
def test_create(contract_mock):
    assert post().status_code == {success}
    assert contract_mock.requests == 1 and not contract_mock.findings()
""",
        )
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_client_that_breaks_the_contract_fails_naming_the_rule(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        _client_module(
            _invalid(),
            """
def test_create(contract_mock):
    post()  # the client's own test asserts nothing wrong: the mock judges what it sent
""",
        )
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert f"body_valid on {facts.seed().operation_id}, once" in out, out
    assert "x_contract_unknown_field" in out and "reproduce: curl" in out, out
    assert "sk-mock-" not in out, "the mock's key was shown"


def test_a_rule_allowed_by_the_test_does_not_fail_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        _client_module(
            _invalid(),
            """
def test_the_client_surfaces_a_refusal(contract_mock):
    contract_mock.allow("body_valid")
    assert post().status_code >= 400
    assert contract_mock.broken_rules == {"body_valid"}
""",
        )
    )
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_fault_asked_for_is_served_and_a_retry_too_soon_fails(pytester: pytest.Pytester) -> None:
    success = facts.seed().success_status
    pytester.makepyfile(
        _client_module(
            _valid(),
            f"""
def test_waits_as_asked(contract_mock):
    contract_mock.fault(429, times=1, retry_after=0.3)
    first = post()
    assert first.status_code == 429 and first.headers["retry-after"] == "0.3"
    time.sleep(0.35)
    assert post().status_code == {success}
    assert contract_mock.faults_served == ["429 (Retry-After: 0.3)"]


def test_retries_at_once(contract_mock):
    contract_mock.fault(503, retry_after=2)
    assert [post().status_code for _ in range(2)] == [503, {success}]


def test_drop_and_truncate(contract_mock):
    contract_mock.fault("drop")
    contract_mock.fault("truncate")
    for _ in range(2):
        with pytest.raises(httpx.TransportError):
            post()
    assert post().status_code == {success}
    assert contract_mock.faults_served == ["drop", "truncate"]


def test_latency(contract_mock):
    contract_mock.fault("latency", seconds=0.3)
    started = time.monotonic()
    assert post().status_code == {success}
    assert time.monotonic() - started >= 0.3
""",
        )
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1)
    out = result.stdout.str()
    assert (
        "FAILED test_a_fault_asked_for_is_served_and_a_retry_too_soon_fails.py::test_retries_at_once" in out
    )
    assert "retry_after_respected" in out and "asked to wait 2 s" in out, out


def test_the_openai_sdk_retries_the_faults_it_met(pytester: pytest.Pytester) -> None:
    """openai-python 1.20.0, as a team's code uses it (tests/clients/openai_python_client.py), finds the
    mock through OPENAI_BASE_URL and OPENAI_API_KEY, meets two 429s and waits each out."""
    client = HERE / "openai_python_client.py"
    pytester.makepyfile(
        f"""
import runpy


def test_create_through_two_429s(contract_mock):
    contract_mock.fault(429, times=2, retry_after=0.2)
    runpy.run_path({str(client)!r})
    assert contract_mock.faults_served == ["429 (Retry-After: 0.2)"] * 2
    assert contract_mock.requests == 3
"""
    )
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_options_from_a_marker_and_from_the_options_fixture(
    pytester: pytest.Pytester, resource_spec: Path
) -> None:
    api = load_api(resource_spec)
    retrieve = next(op for resource in api.resources if (op := resource.first(Role.RETRIEVE)) is not None)
    (parameter,) = retrieve.path_parameters
    path = api.base_path + retrieve.path.replace("{" + parameter.name + "}", "never-made")
    headers = {"Authorization": "Bearer ${key}", **facts.seed().required_headers()}
    pytester.makeconftest(
        f"""
import pytest

@pytest.fixture
def contract_mock_options():
    return {{"spec": {str(resource_spec)!r}}}
"""
    )
    pytester.makepyfile(
        f"""
import os
import httpx
import pytest

def get():
    headers = {{k: v.replace("${{key}}", os.environ["API_KEY"]) for k, v in {headers!r}.items()}}
    return httpx.get(os.environ["BASE_URL"] + {path!r}, headers=headers, timeout=30).status_code

def test_stateful_from_the_options_fixture(contract_mock):
    assert get() == 404

@pytest.mark.contract_mock(stateless=True)
def test_stateless_from_the_marker(contract_mock):
    assert get() == {retrieve.success_status}

@pytest.mark.contract_mock(spec="no-such-spec.yaml")
def test_a_spec_that_cannot_be_read(contract_mock):
    pass
"""
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    assert "error: cannot read no-such-spec.yaml" in result.stdout.str(), result.stdout.str()


def test_the_environment_is_restored_after_the_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://before.invalid/v1")
    monkeypatch.delenv("BASE_URL", raising=False)
    pytester.makepyfile(
        """
import os

def test_with_the_mock(contract_mock):
    assert os.environ["OPENAI_BASE_URL"] == contract_mock.base_url
    assert os.environ["BASE_URL"] == contract_mock.url and contract_mock.url.startswith("http://127.0.0.1:")
    assert os.environ["OPENAI_API_KEY"] == os.environ["API_KEY"] == contract_mock.api_key

def test_after_it():
    assert os.environ["OPENAI_BASE_URL"] == "http://before.invalid/v1"
    assert "BASE_URL" not in os.environ
"""
    )
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)
