"""The suite fails every broken server of the gallery, and the check that fails is the one named for it."""

from __future__ import annotations

import pytest

from contract_tests.gallery import GALLERY
from contract_tests.gallery.conforming import CONFORMING
from contract_tests.serving import serve_in_thread
from contract_tests.suite.config import SuiteConfig
from contract_tests.suite.runner import run_suite
from tests.contract.conftest import API_KEY, EXAMPLES

# Short, so that a server that hangs costs little: every other server answers in milliseconds.
TIMEOUT = 3.0


@pytest.mark.parametrize("name", sorted(GALLERY))
def test_suite_catches_broken_server(name: str) -> None:
    server = GALLERY[name]
    with serve_in_thread(server.build(API_KEY)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, timeout=TIMEOUT))
    assert not result.passed, f"{name} ({server.defect}) passed the suite"
    assert server.caught_by in result.failed_checks, f"{name} failed only {result.failed_checks}"
    failure = result.checks[server.caught_by].failures[0]
    assert failure.reason and "reproduce: curl" in failure.details


@pytest.mark.parametrize("name", sorted(CONFORMING))
def test_suite_passes_conforming_server_with_other_habits(name: str) -> None:
    with serve_in_thread(CONFORMING[name](API_KEY)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES))
    failures = {check: [f.reason for f in result.checks[check].failures] for check in result.failed_checks}
    assert result.passed, failures
