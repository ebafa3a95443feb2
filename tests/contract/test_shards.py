"""A run split into shards (`--shard I/N`) judges every operation in exactly one shard, keeps a resource's
operations together, and the union of the shards' verdicts is one run's: on a spec of 50+ operations and
on broken servers of the gallery; `merge-reports` joins their reports and exits as the whole run would."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from contract_tests.api.document import load_spec
from contract_tests.api.model import load_api
from contract_tests.api.resources import Role
from contract_tests.gallery import GALLERY
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from contract_tests.suite.config import SuiteConfig
from contract_tests.suite.jsonreport import write_json
from contract_tests.suite.junit import write_junit
from contract_tests.suite.merge import main as merge
from contract_tests.suite.results import RunResult
from contract_tests.suite.runner import run_suite
from contract_tests.suite.shards import Shard, share
from tests.edits.many import many_operations


@pytest.fixture(scope="module")
def big_spec(resource_spec: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The resource of the project's spec under nine names, and every media type of tests/fixtures/media.yaml:
    a spec of 56 operations (OpenAPI 3.1, the media fixture's schemas read as 3.1)."""
    document = many_operations(load_spec(resource_spec))
    path = tmp_path_factory.mktemp("big") / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    assert len(load_api(path).operations) >= 50
    return path


def _verdicts(results: list[RunResult]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for result in results:
        for operation in result.operations.values():
            assert operation.operation_id not in found, f"{operation.operation_id} judged in two shards"
            found[operation.operation_id] = {
                name: "fail" if check.failure_count else "pass" for name, check in operation.checks.items()
            }
    return found


def test_shares_are_whole_resources_and_cover_every_operation_once(big_spec: Path) -> None:
    api = load_api(big_spec)
    shares = [share(api, Shard(index, 4)) for index in range(1, 5)]
    assert set().union(*shares) == {op.operation_id for op in api.operations}
    assert sum(len(mine) for mine in shares) == len(api.operations)
    assert all(shares), "a shard with nothing to judge"
    for resource in api.resources:
        ids = {op.operation_id for role in Role for op in resource.all(role)}
        assert sum(bool(ids & mine) for mine in shares) == 1, f"{resource.label} split across shards"


def test_four_shards_judge_as_one_run_and_their_reports_merge(big_spec: Path, tmp_path: Path) -> None:
    def run(shard: str | None) -> RunResult:
        with serve_in_thread(create_app(api_key="sk-shard-test-key-1", spec_path=big_spec)) as base_url:
            return run_suite(
                SuiteConfig(base_url, "sk-shard-test-key-1", examples=2, spec_path=big_spec, shard=shard)
            )

    whole = run(None)
    shards = [run(f"{index}/4") for index in range(1, 5)]
    assert _verdicts(shards) == _verdicts([whole])
    assert whole.passed and all(result.passed for result in shards)
    reports = []
    for index, result in enumerate(shards, 1):
        reports += [tmp_path / f"shard{index}.xml", tmp_path / f"shard{index}.json"]
        write_junit(result, reports[-2])
        write_json(result, reports[-1])
    joined_xml, joined_json = tmp_path / "all.xml", tmp_path / "all.json"
    assert merge([*map(str, reports), "-o", str(joined_xml), "-o", str(joined_json)]) == 0
    write_junit(whole, tmp_path / "whole.xml")
    names = {
        (suite.get("name"), case.get("name"))
        for suite in ET.parse(joined_xml).getroot().findall("testsuite")
        for case in suite.findall("testcase")
    }
    whole_names = {
        (suite.get("name"), case.get("name"))
        for suite in ET.parse(tmp_path / "whole.xml").getroot().findall("testsuite")
        for case in suite.findall("testcase")
    }
    assert names == whole_names
    joined = json.loads(joined_json.read_text(encoding="utf-8"))
    assert set(joined["operations"]) == set(whole.operations) and joined["result"] == "pass"
    # A shard left out (a CI job that never uploaded its report) is no pass: its operations were not judged.
    for kind in (".xml", ".json"):
        given = [str(path) for path in reports if path.suffix == kind]
        assert merge([*given[:2], *given[3:], "-o", str(tmp_path / f"partial{kind}")]) == 2
        assert merge([*given, given[0], "-o", str(tmp_path / f"twice{kind}")]) == 2


@pytest.mark.parametrize("name", ["delete_keeps", "accepts_long_strings"])
def test_a_broken_server_fails_the_same_checks_sharded(
    name: str, resource_spec: Path, tmp_path: Path
) -> None:
    server = GALLERY[name]

    def run(shard: str | None) -> RunResult:
        with serve_in_thread(server.build(create_app, "sk-shard-test-key-1", resource_spec)) as base_url:
            return run_suite(
                SuiteConfig(base_url, "sk-shard-test-key-1", examples=5, spec_path=resource_spec, shard=shard)
            )

    whole = run(None)
    shards = [run(f"{index}/2") for index in (1, 2)]
    failed = {
        (op, check) for op, checks in _verdicts(shards).items() for check, v in checks.items() if v == "fail"
    }
    expected = {
        (op, check) for op, checks in _verdicts([whole]).items() for check, v in checks.items() if v == "fail"
    }
    assert failed == expected and any(check == server.caught_by for _, check in failed)
    for index, result in enumerate(shards, 1):
        write_junit(result, tmp_path / f"shard{index}.xml")
    assert (
        merge([str(tmp_path / "shard1.xml"), str(tmp_path / "shard2.xml"), "-o", str(tmp_path / "all.xml")])
        == 1
    )
