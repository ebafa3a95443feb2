"""Ordinary spec edits need `make generate` and nothing else (tests/edits/edits.py lists them).

For each edit, made on a copy of the loaded spec: the client is regenerated into a temporary
directory; the reference server of the edited spec passes the suite run on the edited spec, and the
new thing (a field, a kind, an operation) is among what the suite sent; a server that still follows the
spec as it was fails that run; and in a fresh process, with the edited spec as every module's default
and the regenerated client on the path, the client's property tests and a part of the gallery pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.api.document import REPO_ROOT, SPEC_PATH, SPEC_VARIABLE, load_spec
from contract_tests.api.model import load_api
from contract_tests.gallery import GALLERY
from contract_tests.gallery.conforming import CONFORMING
from contract_tests.gallery.rewrite import Reply, Request, Rewrite
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from contract_tests.suite.config import SuiteConfig
from contract_tests.suite.runner import run_suite
from tests import spec_facts as facts
from tests.edits.edits import Edit, all_edits

API_KEY = "sk-test-spec-edits-7c1d"
EXAMPLES = 10
EDITS = {edit.name: edit for edit in all_edits(facts.seed())}
# The gallery servers whose defect is found in the spec itself, run on each edited spec (all of them
# run in tests/contract on the spec as it is).
BROKEN = ("accepts_long_strings", "accepts_nested_nulls", "counts_utf16_units", "lists_dropped")
CONFORMING_HERE = ("other_habits", "numbers_as_doubles")


def _write(edit: Edit, path: Path) -> Path:
    document = load_spec(SPEC_PATH)
    edit.apply(document)
    if edit.adds or edit.old_server_fails:
        assert document != load_spec(SPEC_PATH), f"{edit.name}: the edit changed nothing"
    # Another YAML writer than the spec's: other quoting, flow style, line breaks; the same meaning.
    path.write_text(
        yaml.safe_dump(document, default_flow_style=None, width=60, allow_unicode=True), encoding="utf-8"
    )
    return path


_MADE: dict[str, tuple[Edit, Path, Path]] = {}


def _made(name: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Edit, Path, Path]:
    """(the edit, the edited spec, the client generated from it), made once per run."""
    if name not in _MADE:
        edit = EDITS[name]
        workdir = tmp_path_factory.mktemp(name.replace(" ", "-"))
        spec = _write(edit, workdir / "openapi.yaml")
        client = workdir / "client"
        done = subprocess.run(
            ["scripts/generate", str(client), str(spec)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{edit.name}: make generate failed:\n{done.stdout}{done.stderr}"
        _MADE[name] = (edit, spec, client)
    return _MADE[name]


@pytest.fixture(params=sorted(EDITS))
def edited(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Edit, Path, Path]:
    return _made(request.param, tmp_path_factory)


@pytest.fixture(params=sorted(name for name, edit in EDITS.items() if edit.adds_operation))
def edited_operation(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Edit, Path, Path]:
    return _made(request.param, tmp_path_factory)


def _failures(result: Any) -> dict[str, list[str]]:
    return {
        f"{op.operation_id}: {check.name}": [f"{f.label}: {f.reason}" for f in check.failures]
        for op, check in result.failed
    }


def test_the_reference_server_of_the_edited_spec_passes(edited: tuple[Edit, Path, Path]) -> None:
    edit, spec, _ = edited
    with serve_in_thread(create_app(api_key=API_KEY, spec_path=spec)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=spec))
    assert result.passed, f"{edit.name}: {_failures(result)}"
    assert not result.dropped_bodies, f"{edit.name}: {result.dropped_bodies}"
    if edit.adds_operation:
        # A new operation: the suite found it and judged it.
        checks = result.operations[edit.adds].checks
        assert checks["not_a_server_error"].cases and checks["api_key_required"].cases, checks
    elif edit.adds:
        # A new field or kind: some spec-derived body exercises it.
        factory = facts.body_factory(spec)
        labels = [body.label for body in factory.valid() + factory.invalid()]
        assert any(edit.adds in label for label in labels), (
            f"{edit.name}: no spec-derived body names {edit.adds!r}"
        )
    for operation, check in edit.judged:
        judged = [
            op.checks[check].cases
            for op in result.operations.values()
            if check in op.checks and operation in ("", op.operation_id)
        ]
        assert any(judged), f"{edit.name}: {check} judged no case"


def test_a_server_of_the_spec_before_the_edit_fails(edited: tuple[Edit, Path, Path]) -> None:
    edit, spec, _ = edited
    with serve_in_thread(create_app(api_key=API_KEY)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=spec))
    assert result.passed is not edit.old_server_fails, f"{edit.name}: {_failures(result)}"


def test_a_new_operation_answered_with_a_500_fails(edited_operation: tuple[Edit, Path, Path]) -> None:
    edit, spec, _ = edited_operation
    api = load_api(spec)
    new = [op for op in api.operations if op.operation_id == edit.adds]
    assert new, f"{edit.name}: the suite does not find {edit.adds}"

    def crash(request: Request) -> Request | Reply:
        found = api.match(request.method, request.path)
        if found is not None and found[0] is new[0]:
            return Reply(500, {"content-type": "text/plain"}, b"Internal Server Error")
        return request

    with serve_in_thread(Rewrite(create_app(api_key=API_KEY, spec_path=spec), request=crash)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=spec))
    assert "not_a_server_error" in result.operations[edit.adds].failed_checks, _failures(result)


def test_the_gallery_follows_the_edit(edited: tuple[Edit, Path, Path]) -> None:
    edit, spec, _ = edited
    for name in BROKEN:
        with serve_in_thread(GALLERY[name].build(create_app, API_KEY, spec)) as base_url:
            result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=spec, timeout=3))
        assert GALLERY[name].caught_by in result.failed_checks, (
            f"{edit.name}: {name} failed only {result.failed_checks}"
        )
    for name in CONFORMING_HERE:
        with serve_in_thread(CONFORMING[name](create_app, API_KEY, spec)) as base_url:
            result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=spec))
        assert result.passed, f"{edit.name}: {name}: {_failures(result)}"


def test_the_regenerated_client_keeps_its_properties(edited: tuple[Edit, Path, Path]) -> None:
    """In a fresh process whose every default is the edited spec, with the regenerated client first on
    the path: the client's property tests and its run against the reference server."""
    edit, spec, client = edited
    env = {
        **os.environ,
        SPEC_VARIABLE: str(spec),
        "PYTHONPATH": os.pathsep.join([str(client), str(REPO_ROOT)]),
        "CONTRACT_CLIENT_EXAMPLES": "5",
    }
    # Its broken-client and template tests do not depend on the spec: they run in contract_tests/client.
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-x",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "contract_tests/client/test_client_properties.py",
        "contract_tests/client/test_reference_server.py",
    ]
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
    where = json.dumps({"spec": str(spec), "client": str(client)})
    assert done.returncode == 0, f"{edit.name} ({where}):\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}"
    imported = subprocess.run(
        [sys.executable, "-c", "import assistants_v1_client; print(assistants_v1_client.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert imported.startswith(str(client)), f"the tests imported {imported}, not the regenerated client"
