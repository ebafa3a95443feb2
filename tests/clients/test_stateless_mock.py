"""The mock as a drop-in for Prism: `--stateless` answers every valid request with its success, whatever
id it names (the spec's example, else a value built from the request and the schema), still judging every
request on the client's side; and the spec's paths are served under the servers' base path and at the
root, any other path answered 404 with where the API lives."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from contract_tests.api.document import REPO_ROOT, load_spec, node_at
from contract_tests.api.model import Api, Operation, load_api
from contract_tests.api.parameters import text_of
from contract_tests.api.resources import Role
from contract_tests.api.values import json_types
from contract_tests.masking import Masker
from contract_tests.mock.app import JudgingMock, served_prefixes
from contract_tests.mock.faults import FaultPlan
from contract_tests.rules.report import CLIENT, TrafficReport
from contract_tests.rules.traffic import TrafficJudge
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread

KEY = "sk-test-stateless-7a3f0b"


@contextmanager
def mock(spec: Path, *, stateless: bool) -> Iterator[tuple[str, TrafficReport]]:
    api = load_api(spec)
    report = TrafficReport(Masker(KEY), "mock")
    judge = TrafficJudge(api, KEY, Masker(KEY), report, Path("/tmp"), served_prefixes(api))
    app = create_app(api_key=KEY, spec_path=spec, stateless=stateless)
    with serve_in_thread(JudgingMock(app, api, judge, FaultPlan([]))) as url:
        yield url, report


def _findings(report: TrafficReport) -> dict[str, list[str]]:
    return {
        rule: [finding.message for finding in tally.kept]
        for (side, _, rule), tally in report.tallies.items()
        if side == CLIENT
    }


def _headers(api: Api, op: Operation, key: str = KEY) -> dict[str, str]:
    found = {"Authorization": f"Bearer {key}"}
    for parameter in op.headers:
        if parameter.required:
            found[parameter.name] = text_of(api.parameter_example(parameter))
    return found


def _call(
    client: httpx.Client, url: str, api: Api, op: Operation, named: str, *, key: str = KEY
) -> httpx.Response:
    path = op.path
    for parameter in op.path_parameters:
        path = path.replace("{" + parameter.name + "}", named)
    body = api.example_body(op) if op.body is not None and op.body.required else None
    return client.request(op.method, url + path, json=body, headers=_headers(api, op, key))


def _resource_ops(api: Api) -> list[tuple[Role, Operation]]:
    found = []
    for resource in api.resources:
        for role in Role:
            op = resource.first(role)
            if op is not None:
                found.append((role, op))
    return found


@pytest.mark.parametrize(
    ("spec_kind", "prefix"),
    [
        ("version in its paths", "root"),
        ("version in its servers' URL", "base path"),
        ("version in its servers' URL", "root"),
    ],
)
def test_stateless_answers_any_well_formed_id_with_its_success(
    resource_spec: Path, based_spec: Path, spec_kind: str, prefix: str
) -> None:
    spec = resource_spec if spec_kind == "version in its paths" else based_spec
    api = load_api(spec)
    assert (api.base_path == "") == (spec == resource_spec)
    served = api.base_path if prefix == "base path" else ""
    with mock(spec, stateless=True) as (url, report), httpx.Client(timeout=30) as client:
        answers = {
            role: (op, _call(client, url + served, api, op, "never-made")) for role, op in _resource_ops(api)
        }
    assert {Role.RETRIEVE, Role.UPDATE, Role.DELETE, Role.LIST} <= answers.keys()
    for role, (op, answer) in answers.items():
        assert answer.status_code == op.success_status, (role, answer.text)
        assert op.success.schema_pointer is not None
        api.values.validator(op.success.schema_pointer).validate(answer.json())
        resource, _ = api.role(op) or (None, None)
        if role in (Role.RETRIEVE, Role.UPDATE) and resource is not None:
            assert resource.id_of(answer.json()) == "never-made", answer.json()
    assert report.requests == len(answers)
    assert not _findings(report), report.summary()


def test_stateful_by_default_an_id_never_made_is_a_404(resource_spec: Path) -> None:
    api = load_api(resource_spec)
    retrieve = next(op for role, op in _resource_ops(api) if role is Role.RETRIEVE)
    with mock(resource_spec, stateless=False) as (url, _), httpx.Client(timeout=30) as client:
        answer = _call(client, url + api.base_path, api, retrieve, "never-made")
    assert answer.status_code == 404, answer.text


def test_stateless_still_judges_and_refuses_what_breaks_the_spec(resource_spec: Path) -> None:
    api = load_api(resource_spec)
    retrieve = next(op for role, op in _resource_ops(api) if role is Role.RETRIEVE)
    with mock(resource_spec, stateless=True) as (url, report), httpx.Client(timeout=30) as client:
        answer = _call(client, url, api, retrieve, "never-made", key="sk-not-the-key-0000")
    assert answer.status_code == 401, answer.text
    assert "api_key_sent" in _findings(report), report.summary()


def test_a_path_under_no_prefix_the_mock_serves_says_where_the_api_lives(based_spec: Path) -> None:
    """The double base path (`/v1/v1/...`: a base URL with /v1 and paths with /v1 again) is no operation:
    the 404 and the finding name where the mock serves the spec's paths."""
    api = load_api(based_spec)
    base, first = api.base_path, api.operations[0].path
    create = next(op for role, op in _resource_ops(api) if role is Role.CREATE)
    with mock(based_spec, stateless=True) as (url, report), httpx.Client(timeout=30) as client:
        answer = _call(client, url + base * 2, api, create, "")
    where = f"under {base} and at the root ({base}{first}, {first})"
    assert answer.status_code == 404
    assert where in answer.json()["error"]["message"], answer.text
    assert any(where in said for said in _findings(report)["operation_declared"]), report.summary()


def _with_example(resource_spec: Path, tmp_path: Path) -> tuple[Path, str, str]:
    """The resource spec with an example of the retrieve's success, one of its free strings marked."""
    api = load_api(resource_spec)
    retrieve = next(op for role, op in _resource_ops(api) if role is Role.RETRIEVE)
    pointer = retrieve.success.schema_pointer
    assert pointer is not None and retrieve.success.media_type is not None
    example: dict[str, Any] = api.values.example(pointer)
    resource, _ = api.role(retrieve) or (None, None)
    assert resource is not None
    for name, where in api.values.properties(pointer).items():
        schema = api.values.schema(where)
        free = not {"enum", "const", "pattern", "format"} & schema.keys()
        if json_types(schema) == ("string",) and free and f"/{name}" != resource.id_pointer:
            example[name] = "from the spec's example"
            break
    else:
        pytest.fail("the retrieve's object has no free string")
    assert api.values.is_valid(pointer, example)
    document = load_spec(resource_spec)
    media = node_at(document, f"{retrieve.success.pointer}/content")[retrieve.success.media_type]
    media["example"] = example
    path = tmp_path / "with_example.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path, name, retrieve.operation_id


def test_stateless_answers_the_specs_own_example(resource_spec: Path, tmp_path: Path) -> None:
    spec, name, operation_id = _with_example(resource_spec, tmp_path)
    api = load_api(spec)
    retrieve = api.operation(operation_id)
    with mock(spec, stateless=True) as (url, _), httpx.Client(timeout=30) as client:
        answer = _call(client, url, api, retrieve, "never-made")
    assert answer.status_code == retrieve.success_status, answer.text
    assert answer.json()[name] == "from the spec's example"


def test_stateless_with_a_state_file_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "contract_tests", "mock", "--stateless", "--state", str(tmp_path / "s.db")],
        cwd=REPO_ROOT,
        env={**os.environ, "API_KEY": KEY},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and done.stderr.startswith("error: --stateless"), done.stderr
    assert done.stderr.strip().count("\n") == 0
