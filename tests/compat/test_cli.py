"""`make compat` on bad input: a one-line error and a distinct exit status, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

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
from contract_tests.spec import SPEC_PATH, load_spec


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def edited_spec(tmp_path: Path) -> Path:
    document = load_spec()
    document["components"]["schemas"]["CreateAssistantRequest"]["properties"]["name"]["maxLength"] = 128
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_the_spec_compared_with_itself_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, str(SPEC_PATH))
    assert status == 0
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
    document["paths"]["/v1/assistants"]["post"]["responses"] = "none"
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
    assert yaml.safe_load(base.text)["openapi"].startswith("3.1")


def test_a_dangling_ref_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edited = tmp_path / "openapi.yaml"
    text = SPEC_PATH.read_text(encoding="utf-8").replace('schemas/Error"', 'schemas/Eror"')
    edited.write_text(text, encoding="utf-8")
    assert main([str(SPEC_PATH), "--spec", str(edited)]) == 3
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0
    assert "$ref to nothing: /components/schemas/Eror" in err
