"""The suite fails every broken server of the gallery, and the check that fails is the one named for it."""

from __future__ import annotations

import re

import pytest

from contract_tests.gallery import GALLERY
from contract_tests.gallery.conforming import CONFORMING
from contract_tests.serving import serve_in_thread
from contract_tests.api.document import REPO_ROOT
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


def test_the_readme_lists_every_gallery_server() -> None:
    """The README's gallery table names each server of the gallery once, with the check that catches it."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### The gallery", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| .+? \| `(\w+)` \|", section, flags=re.MULTILINE)
    assert dict(rows) == {name: server.caught_by for name, server in GALLERY.items()}
    assert len(rows) == len(GALLERY), "a server is listed twice"
    assert f"holds {len(GALLERY)} deliberately broken servers" in section
