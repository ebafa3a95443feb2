"""A spec as vendors publish them (tests/fixtures/published_style.yaml: OpenAPI 3.0 with `nullable`, the
servers' URL ending in `/v1`, only the 200s documented, a required header named in prose only, a YAML
anchor defined twice) is judged as it is: read as 3.1 reads it, served below `/v1`, undocumented faults
judged by HTTP's rules and said so; only the project's own `make generate` asks more of a spec."""

from __future__ import annotations

import re

import pytest

from contract_tests.api.document import REPO_ROOT
from contract_tests.api.model import load_api
from contract_tests.api.needs import check_needs, warnings
from contract_tests.gallery import GALLERY
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from contract_tests.suite.cli import EXIT_PASS, main
from contract_tests.suite.config import SuiteConfig
from contract_tests.suite.runner import run_suite
from tests.contract.conftest import API_KEY, EXAMPLES

PUBLISHED = REPO_ROOT / "tests" / "fixtures" / "published_style.yaml"


def test_the_model_reads_a_30_spec_as_31() -> None:
    api = load_api(PUBLISHED)
    assert api.version.startswith("3.0") and api.base_path == "/v1"
    for op in api.operations:
        assert op.body is None or api.values.types(op.body.schema_pointer) == ("object",)
    nullable = [
        where
        for op in api.operations
        if op.body is not None
        for where in api.values.properties(op.body.schema_pointer).values()
        if "null" in api.values.types(where)
    ]
    assert nullable, "no `nullable: true` field was read as taking null"
    assert all(api.values.is_valid(where, None) for where in nullable)
    assert [resource.source for resource in api.resources] == ["convention"]


def test_the_suite_judges_a_server_of_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--spec", str(PUBLISHED), "--examples", str(EXAMPLES)]) == EXIT_PASS
    out = capsys.readouterr().out
    assert "so HTTP's rules judge them: a missing or wrong key gets 401" in out
    assert "RESULT: PASS" in out


@pytest.mark.parametrize("name", ["delete_keeps", "api_key_not_checked", "accepts_long_strings"])
def test_broken_servers_of_it_fail(name: str) -> None:
    server = GALLERY[name]
    with serve_in_thread(server.build(create_app, API_KEY, PUBLISHED)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=PUBLISHED))
    assert server.caught_by in result.failed_checks, result.failed_checks


def test_a_header_the_spec_names_in_prose_only_is_sent_when_asked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that needs a header the spec does not declare can still be judged: `--header`."""
    from contract_tests.gallery.rewrite import Reply, Request, Rewrite  # noqa: PLC0415

    def needs_beta(request: Request) -> Request | Reply:
        if request.headers.get("openai-beta") != "assistants=v1":
            return Reply(400, {"content-type": "application/json"}, b'{"error": {"message": "beta"}}')
        return request

    monkeypatch.setenv("API_KEY", API_KEY)
    app = Rewrite(create_app(api_key=API_KEY, spec_path=PUBLISHED), request=needs_beta)
    with serve_in_thread(app) as base_url:
        command = ["--base-url", base_url, "--spec", str(PUBLISHED), "--examples", "2"]
        assert main(command) != EXIT_PASS
        capsys.readouterr()
        assert main([*command, "--header", "OpenAI-Beta: assistants=v1"]) == EXIT_PASS, (
            capsys.readouterr().out
        )


def test_make_generate_still_asks_more_of_the_projects_own_spec() -> None:
    api = check_needs(PUBLISHED)  # a user's spec: usable as it is, and no warning of what it leaves out
    assert not warnings(api)
    said = " ".join(warnings(api, strict=True))
    assert re.search(r"documents no response for 400 .*401 \(a missing or wrong key\)", said), said
