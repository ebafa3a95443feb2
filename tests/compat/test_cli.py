"""`make compat` on bad input: a one-line error and a distinct exit status, never a traceback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.api.document import REPO_ROOT, SPEC_PATH, SpecError, load_spec, node_at
from contract_tests.api.model import load_api
from contract_tests.compat import compare as compare_module
from contract_tests.compat import specmatic
from contract_tests.compat.cli import (
    DEFAULT_BASE,
    EXIT_INVALID_SPEC,
    EXIT_TOOL_FAILED,
    EXIT_UNREADABLE,
    FALLBACK_BASES,
    main,
    read_base,
)
from tests.compat.fixtures import load_fixtures


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def edited_spec(tmp_path: Path) -> Path:
    """The spec with the edits of a breaking fixture of fixtures.yaml: a change Specmatic must check."""
    fixture = next(
        fixture for fixture in load_fixtures() if any(fixture.expect.values()) and not fixture.base_edited
    )
    assert fixture.newer != load_spec()
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(fixture.newer), encoding="utf-8")
    return path


@pytest.fixture
def redumped_spec(tmp_path: Path) -> Path:
    """spec/openapi.yaml as a YAML library writes it: keys sorted, other quoting and line breaks."""
    text = SPEC_PATH.read_text(encoding="utf-8")
    redumped = yaml.safe_dump(yaml.safe_load(text))
    assert redumped != text and yaml.safe_load(redumped) == yaml.safe_load(text)
    path = tmp_path / "redumped.yaml"
    path.write_text(redumped, encoding="utf-8")
    return path


def test_the_spec_compared_with_itself_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, str(SPEC_PATH))
    assert status == 0
    assert "No changes." in out


@pytest.mark.parametrize("direction", ["re-dumped spec", "re-dumped base"])
def test_the_same_document_formatted_otherwise_has_no_changes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, redumped_spec: Path, direction: str
) -> None:
    base, spec = (SPEC_PATH, redumped_spec) if direction == "re-dumped spec" else (redumped_spec, SPEC_PATH)
    monkeypatch.setenv("PATH", "/nonexistent")  # equal documents: Specmatic (Java) is not even started
    status, out, err = run(capsys, str(base), "--spec", str(spec))
    assert (status, err) == (0, "")
    assert "No changes." in out


def test_a_base_that_does_not_exist(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "no-such-ref-or-file")
    assert status == EXIT_UNREADABLE
    assert (
        err.strip() == "compat: BASE 'no-such-ref-or-file' is neither a file nor a git ref of this repository"
    )


def test_a_missing_spec_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(capsys, str(SPEC_PATH), "--spec", str(tmp_path / "missing.yaml"))
    assert status == EXIT_UNREADABLE
    assert err.startswith("compat: cannot read") and err.count("\n") == 1


def test_malformed_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: [3.1.0\n", encoding="utf-8")
    status, _, err = run(capsys, str(broken))
    assert status == EXIT_INVALID_SPEC
    assert "is not valid YAML" in err and err.count("\n") == 1


def test_yaml_that_is_not_valid_openapi(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    document = load_spec()
    document["paths"] = "none"  # an object in OpenAPI
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text(yaml.safe_dump(document), encoding="utf-8")
    status, _, err = run(capsys, str(invalid))
    assert status == EXIT_INVALID_SPEC
    assert "is not valid OpenAPI" in err and err.count("\n") == 1


def test_java_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, edited_spec: Path
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    status, _, err = run(capsys, str(SPEC_PATH), "--spec", str(edited_spec))
    assert status == EXIT_TOOL_FAILED
    assert err.strip() == "compat: java is not on PATH (Specmatic needs Java 17 or later)"


def test_specmatic_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, edited_spec: Path, tmp_path: Path
) -> None:
    monkeypatch.setattr(specmatic, "SPECMATIC_JAR", tmp_path / "specmatic.jar")
    status, _, err = run(capsys, str(SPEC_PATH), "--spec", str(edited_spec))
    assert status == EXIT_TOOL_FAILED
    assert "specmatic.jar is missing" in err and err.count("\n") == 1


def test_specmatic_failing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, edited_spec: Path, tmp_path: Path
) -> None:
    corrupt = tmp_path / "specmatic.jar"
    corrupt.write_text("not a jar", encoding="utf-8")
    monkeypatch.setattr(specmatic, "SPECMATIC_JAR", corrupt)
    status, _, err = run(capsys, str(SPEC_PATH), "--spec", str(edited_spec))
    assert status == EXIT_TOOL_FAILED
    assert err.startswith("compat: Specmatic wrote no report") and err.count("\n") == 1


def test_the_default_base_falls_back_when_origin_main_is_absent() -> None:
    base = read_base(DEFAULT_BASE)
    assert base.origin in {f"spec/openapi.yaml at {ref}" for ref in (DEFAULT_BASE, *FALLBACK_BASES)}
    assert "openapi" in yaml.safe_load(base.text)


def test_a_dangling_ref_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = load_spec()
    # Every $ref to one component (the first one referred to) now names a component that does not exist.
    target = next(_refs(document))
    missing = f"{target}Missing"
    assert _resolves(document, target) and not _resolves(document, missing)
    renamed = _replace_refs(document, target, missing)
    assert renamed > 0 and target not in set(_refs(document))
    edited = tmp_path / "openapi.yaml"
    edited.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert main([str(SPEC_PATH), "--spec", str(edited)]) == EXIT_INVALID_SPEC
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0
    # Every operation reaches the reference: nothing is left to compare, and the error names it.
    assert missing[1:] in err


def _refs(node: Any) -> Iterator[str]:
    """Every `$ref` value inside `node`, in document order."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _replace_refs(node: Any, old: str, new: str) -> int:
    """Make every `$ref: old` inside `node` a `$ref: new`; the number replaced."""
    count = 0
    if isinstance(node, dict):
        if node.get("$ref") == old:
            node["$ref"] = new
            count += 1
        count += sum(_replace_refs(value, old, new) for value in node.values())
    elif isinstance(node, list):
        count += sum(_replace_refs(item, old, new) for item in node)
    return count


def _resolves(document: dict[str, Any], ref: str) -> bool:
    try:
        node_at(document, ref[1:])
    except SpecError:
        return False
    return True


def test_a_published_spec_is_compared_as_it_is(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anchors defined twice, a default its schema refuses, a schema no request satisfies: no refusal.
    The untestable operation is said with its flaw; the rest is classified (here by the project's
    rules alone: Specmatic is not run)."""
    monkeypatch.setattr(compare_module, "check_pairs", lambda pairs: [[] for _ in pairs])
    published = Path(__file__).with_name("published")
    base, spec = published / "2024-04.yaml", published / "2024-05.yaml"
    status, out, err = run(capsys, str(base), "--spec", str(spec))
    assert (status, err) == (1, "")
    flaw = '/components/schemas/CreateRunRequest/required/0: requires "thread_id"'
    shown = [path.relative_to(REPO_ROOT) for path in (base, spec)]
    assert f"createRun (POST /threads/{{thread_id}}/runs), in {shown[0]} and {shown[1]}: {flaw}" in out
    assert re.search(r"/CreateRunRequest/properties/temperature +field added \(optional\) +not testable", out)
    assert re.search(
        r"/paths/~1assistants~1\{assistant_id\}~1files +operation removed.* breaks clients ", out
    )
    assert ", 1 not testable" in out.splitlines()[-2]


def test_a_spec_with_no_operation_left_to_compare_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = load_spec()
    # Every request schema of the spec now requires a property that it forbids.
    for schema in document["components"]["schemas"].values():
        if schema.get("additionalProperties") is False:
            schema["required"] = ["x_contract_missing", *schema.get("required", [])]
    # An operation with no request body (a grown spec's retrieve) gets a query parameter whose schema has a
    # flaw of its own: no operation is left.
    for operation in load_api(SPEC_PATH).operations:
        if operation.body is None:
            node_at(document, operation.pointer).setdefault("parameters", []).append(
                {"name": "x_flawed", "in": "query", "schema": {"type": "string", "maxLength": "256"}}
            )
    flawed = tmp_path / "flawed.yaml"
    flawed.write_text(yaml.safe_dump(document), encoding="utf-8")
    status, _, err = run(capsys, str(SPEC_PATH), "--spec", str(flawed))
    assert status == EXIT_INVALID_SPEC
    # The line names the first operation's flaw: the required property, or the parameter's keyword.
    named = "x_contract_missing" in err or "/schema/maxLength: not a valid JSON Schema keyword value" in err
    assert "none of its operations can be tested" in err and named, err
    assert err.count("\n") == 1
