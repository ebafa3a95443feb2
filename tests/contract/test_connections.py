"""HTTP's connection rules are not the server's fault: a server may close a kept-alive connection at any
time (RFC 9112, 9.6), and the suite then sends an idempotent request again on a new one (9.3.1), and
never reuses a connection after an answer that ends it (a 500, as uvicorn does). The same seed against a
server that behaves the same gives the same verdicts, run after run."""

from __future__ import annotations

from pathlib import Path

from contract_tests.gallery import GALLERY
from contract_tests.gallery.conforming import CONFORMING
from contract_tests.gallery.faults import ClosingFront
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from contract_tests.suite.config import SuiteConfig
from contract_tests.suite.runner import run_suite
from tests.contract.conftest import API_KEY, EXAMPLES


def test_a_server_closing_kept_alive_connections_after_errors_passes(resource_spec: Path) -> None:
    """It closes after every error, whatever the next request's method: the suite opens a new connection
    after an error, so no request meets a closed one."""
    with serve_in_thread(CONFORMING["closes_kept_alive"](create_app, API_KEY, resource_spec)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=resource_spec))
    failures = {check: [f.reason for f in result.checks[check].failures] for check in result.failed_checks}
    assert result.passed, failures


def test_an_idempotent_request_meeting_a_closed_connection_is_sent_again_and_said(
    resource_spec: Path,
) -> None:
    """After every answer, the next idempotent request on the connection ends with no answer at all (an idle
    timeout's race): sent again on a new connection, counted, and no failure."""
    idempotent = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
    app = ClosingFront(
        create_app(api_key=API_KEY, spec_path=resource_spec), closes=lambda status: True, only=idempotent
    )
    with serve_in_thread(app) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=resource_spec))
    failures = {check: [f.reason for f in result.checks[check].failures] for check in result.failed_checks}
    assert result.passed, failures
    assert result.resent_on_new_connection > 0, "the server never closed a connection the suite reused"


def test_the_request_after_a_server_error_is_no_false_alarm_and_verdicts_repeat(resource_spec: Path) -> None:
    broken = GALLERY["server_error_for_unknown_ids"]

    def served() -> ClosingFront:
        # After each 500 the connection is closed with no word of it: any request that comes on it next,
        # a POST included, ends with no answer.
        return ClosingFront(
            broken.build(create_app, API_KEY, resource_spec), closes=lambda status: status >= 500
        )

    verdicts = []
    for _ in range(2):
        with serve_in_thread(served()) as base_url:
            result = run_suite(SuiteConfig(base_url, API_KEY, seed=3, examples=5, spec_path=resource_spec))
        verdicts.append(sorted(result.failed_checks))
        assert broken.caught_by in result.failed_checks
        assert "server_answers_every_request" not in result.failed_checks, (
            result.checks["server_answers_every_request"].failures[0].details
        )
    assert verdicts[0] == verdicts[1]
