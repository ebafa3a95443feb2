"""Ordinary spec edits need `make generate` and nothing else (tests/edits/edits.py lists them): for each,
the reference server of the edited spec passes the suite run on the edited spec, and the new thing (a
field, a kind, an operation, a check of state) is among what the suite judged; a server that still
follows the spec as it was fails that run; a new operation answered with a 500 fails it."""

from __future__ import annotations

from pathlib import Path

from contract_tests.api.model import load_api
from contract_tests.gallery.rewrite import Reply, Request, Rewrite
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from contract_tests.suite.config import SuiteConfig
from contract_tests.suite.runner import run_suite
from tests import spec_facts as facts
from tests.edits.conftest import API_KEY, EXAMPLES, failures
from tests.edits.edits import Edit


def test_the_reference_server_of_the_edited_spec_passes(edited: tuple[Edit, Path]) -> None:
    edit, spec = edited
    with serve_in_thread(create_app(api_key=API_KEY, spec_path=spec)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=spec))
    assert result.passed, f"{edit.name}: {failures(result)}"
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


def test_a_server_of_the_spec_before_the_edit_fails(edited: tuple[Edit, Path]) -> None:
    edit, spec = edited
    with serve_in_thread(create_app(api_key=API_KEY)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=spec))
    assert result.passed is not edit.old_server_fails, f"{edit.name}: {failures(result)}"


def test_a_new_operation_answered_with_a_500_fails(edited_operation: tuple[Edit, Path]) -> None:
    edit, spec = edited_operation
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
    assert "not_a_server_error" in result.operations[edit.adds].failed_checks, failures(result)
