"""The suite fails every broken server of the gallery, and the check that fails is the one named for it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contract_tests.api.document import REPO_ROOT, SPEC_PATH
from contract_tests.api.model import load_api
from contract_tests.api.resources import Role
from contract_tests.gallery import GALLERY, BrokenServer
from contract_tests.gallery.conforming import CONFORMING
from contract_tests.gallery.media import MEDIA_GALLERY
from contract_tests.gallery.nested import NESTED_GALLERY
from contract_tests.rules.checks import STATE_CHECKS
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from contract_tests.suite.cli import EXIT_FAIL, main
from contract_tests.suite.config import SuiteConfig
from contract_tests.suite.runner import run_suite
from tests.contract.conftest import API_KEY, EXAMPLES

# Short, so that a server that hangs costs little: every other server answers in milliseconds.
TIMEOUT = 3.0


def _spec_for(server: BrokenServer, resource_spec: Path) -> Path:
    """The project's spec where it has what the defect breaks, else the spec grown into a resource."""
    return SPEC_PATH if server.applies(load_api(SPEC_PATH)) else resource_spec


@pytest.mark.parametrize("name", sorted(GALLERY))
def test_suite_catches_broken_server(name: str, resource_spec: Path) -> None:
    server = GALLERY[name]
    spec = _spec_for(server, resource_spec)
    assert server.applies(load_api(spec)), f"{name} breaks nothing of either spec"
    with serve_in_thread(server.build(create_app, API_KEY, spec)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, timeout=TIMEOUT, spec_path=spec))
    assert not result.passed, f"{name} ({server.defect}) passed the suite"
    assert server.caught_by in result.failed_checks, f"{name} failed only {result.failed_checks}"
    failure = result.checks[server.caught_by].failures[0]
    assert failure.reason and "reproduce" in failure.details and "curl" in failure.details
    if server.caught_by in STATE_CHECKS and server.caught_by != "unknown_id_not_found":
        # A defect of state is a sequence of requests: the failure tells it, from the create of the object
        # on, and reproduces it in order, so that the reproduction stands alone.
        api = load_api(spec)
        creates = {
            f"sequence: {op.method} {api.base_path}{op.path} -> "
            for op in api.operations
            if (role := api.role(op)) is not None and role[1] is Role.CREATE
        }
        described = [shown for shown in result.checks[server.caught_by].failures if shown.details]
        assert described, "no failure of the check is described"
        for shown in described:
            assert "reproduce, in order:" in shown.details, shown.details
            assert any(create in shown.details for create in creates), shown.details


@pytest.mark.parametrize("spec_kind", ["the project's spec", "the spec grown into a resource"])
@pytest.mark.parametrize("name", sorted(CONFORMING))
def test_suite_passes_conforming_server_with_other_habits(
    name: str, spec_kind: str, resource_spec: Path
) -> None:
    spec = SPEC_PATH if spec_kind == "the project's spec" else resource_spec
    with serve_in_thread(CONFORMING[name](create_app, API_KEY, spec)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=spec))
    failures = {check: [f.reason for f in result.checks[check].failures] for check in result.failed_checks}
    assert result.passed, failures


def test_a_stateful_defect_fails_the_command_naming_its_sequence(
    resource_spec: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_KEY", API_KEY)
    with serve_in_thread(GALLERY["delete_keeps"].build(create_app, API_KEY, resource_spec)) as base_url:
        code = main(["--base-url", base_url, "--spec", str(resource_spec), "--examples", "2"])
    out = capsys.readouterr().out
    assert code == EXIT_FAIL
    assert "FAILED use_after_free" in out and "sequence: POST " in out and "reproduce, in order:" in out


def test_the_docs_list_every_gallery_server() -> None:
    """docs/gallery.md names each server of the gallery once, with the check that catches it."""
    text = (REPO_ROOT / "docs" / "gallery.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| .+? \| `(\w+)` \|", text, flags=re.MULTILINE)
    every = {**GALLERY, **MEDIA_GALLERY, **NESTED_GALLERY}
    assert dict(rows) == {name: server.caught_by for name, server in every.items()}
    assert len(rows) == len(every), "a server is listed twice"
    assert f"holds {len(GALLERY)} deliberately broken servers" in text
    for name in CONFORMING:
        assert f"- `{name}`: " in text, f"the conforming server {name} is not described"
