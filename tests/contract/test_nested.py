"""Resources below others, judged as nested (tests/fixtures/nested.yaml: threads, their messages, a
message's annotations): the reference server passes, and each broken server of the nested gallery fails
with its rule named."""

from __future__ import annotations

import pytest

from contract_tests.api.document import REPO_ROOT
from contract_tests.api.model import load_api
from contract_tests.gallery.nested import NESTED_GALLERY
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from contract_tests.suite.config import SuiteConfig
from contract_tests.suite.runner import run_suite
from tests.contract.conftest import API_KEY, EXAMPLES

NESTED = REPO_ROOT / "tests" / "fixtures" / "nested.yaml"


def test_the_reference_server_of_nested_resources_passes_and_every_nesting_rule_judges() -> None:
    with serve_in_thread(create_app(api_key=API_KEY, spec_path=NESTED)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=NESTED))
    failures = {check: [f.reason for f in result.checks[check].failures] for check in result.failed_checks}
    assert result.passed, failures
    for check in ("children_follow_parents", "list_pages_consistent", "delete_confirmed"):
        assert result.checks[check].cases > 0, f"{check} judged nothing"
    judged = {
        op for op, operation in result.operations.items() if operation.checks.get("children_follow_parents")
    }
    assert {"createMessage", "getMessage", "createAnnotation", "getAnnotation"} <= {
        op for op in judged if result.operations[op].checks["children_follow_parents"].cases
    }, "a level of nesting was not judged"


@pytest.mark.parametrize("name", sorted(NESTED_GALLERY))
def test_each_nesting_defect_is_caught_by_its_rule(name: str) -> None:
    server = NESTED_GALLERY[name]
    assert server.applies(load_api(NESTED)), f"{name} breaks nothing of {NESTED.name}"
    with serve_in_thread(server.build(create_app, API_KEY, NESTED)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, timeout=5.0, spec_path=NESTED))
    assert server.caught_by in result.failed_checks, f"{name} ({server.defect}) failed {result.failed_checks}"
    failure = result.checks[server.caught_by].failures[0]
    assert failure.reason and "curl" in failure.details
