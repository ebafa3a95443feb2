"""The pytest entry's `operations=`: the tests of an operation not named are skipped with the reason,
without running the suite; an operationId the spec lacks, or a bare string, is a usage error naming it.
(A run judged on some operations: tests/other_stacks/fastapi_app and tests/edits/test_spec_growth.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from contract_tests.api.model import load_api
from contract_tests.pytest_plugin import contract_checks, run_contract
from contract_tests.suite.runner import checks_for
from tests.edits.resource import write_grown

KEY = "sk-test-pytest-entry-4d2e"


class _NeverServed:
    """An app the suite must not run against: a test that is skipped serves nothing."""

    async def __call__(self, scope: object, receive: object, send: object) -> None:
        raise AssertionError("the suite ran for a test it should have skipped")


def _an_operation_and_check() -> tuple[str, str]:
    api = load_api()
    op = api.operations[0]
    return op.operation_id, next(iter(checks_for(api, op)))


def test_no_operation_named_skips_every_test_with_the_reason() -> None:
    operation, check = _an_operation_and_check()
    test = contract_checks(app=_NeverServed(), api_key=KEY, operations=[])
    with pytest.raises(pytest.skip.Exception) as skipped:
        test(operation=operation, check=check)
    assert f"{operation}: not judged, operations= names none" in str(skipped.value)


def test_the_operations_not_named_are_skipped_with_the_reason(tmp_path: Path) -> None:
    spec = tmp_path / "grown.yaml"
    write_grown(spec, ("get",))
    api = load_api(spec)
    named, *others = [op.operation_id for op in api.operations]
    assert others, "the grown spec has one operation"
    test = contract_checks(app=_NeverServed(), api_key=KEY, spec=spec, operations=[named])
    for operation in others:
        with pytest.raises(pytest.skip.Exception) as skipped:
            test(operation=operation, check=next(iter(checks_for(api, api.operation(operation)))))
        assert f"{operation}: not judged, operations= names {named}" in str(skipped.value)


def test_an_operation_the_spec_lacks_is_a_usage_error() -> None:
    with pytest.raises(pytest.UsageError, match="has no operation 'x_contract_no_such_operation'"):
        contract_checks(app=_NeverServed(), api_key=KEY, operations=["x_contract_no_such_operation"])
    operation, _ = _an_operation_and_check()
    with pytest.raises(pytest.UsageError, match="takes a list of operationIds"):
        contract_checks(app=_NeverServed(), api_key=KEY, operations=operation)


def test_a_run_of_no_operation_is_a_usage_error() -> None:
    with pytest.raises(pytest.UsageError, match="names no operation"):
        run_contract(app=_NeverServed(), api_key=KEY, operations=())
