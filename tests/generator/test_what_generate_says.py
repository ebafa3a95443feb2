"""What `make generate` says of a spec: one line per warning, and it goes on; one line per error, and it
stops. The generator's own words come through short (no data dump, no advice to file an issue)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from openapi_python_client.parser.errors import ErrorLevel, GeneratorError, PropertyError

from scripts.python.generate_client import BINARY, binary_overrides, main, one_line
from tests.generator.conftest import FILES_API, GENERATED_PACKAGE, Generation

LEFT_OUT = "/components/schemas/TranscriptDeltaTextObject"  # a second schema titled `Text`


def run_runner(
    *args: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    """scripts/python/generate_client.py, the generator step of scripts/generate, on its own (in this
    process: the generator is slow to import). Its exit status and what it printed on stderr."""
    bin_dir = str(Path(sys.executable).parent)  # the generator's post hooks run the pinned ruff
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    capsys.readouterr()
    status = main(list(args))
    return status, capsys.readouterr().err


def assert_one_line_each(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    for line in lines:
        assert line.startswith(("warning: ", "error: ")), f"not a one-line message: {line!r}\n{stderr}"
    assert "Traceback" not in stderr and "open an issue" not in stderr, stderr
    return lines


def test_a_published_spec_generates_with_its_warnings_said_one_line_each(
    files_api_generation: Generation,
) -> None:
    done = files_api_generation
    assert done.returncode == 0, done.said
    lines = assert_one_line_each(done.stderr)
    assert not [line for line in lines if line.startswith("error: ")], done.said
    # The spec check's: a flaw of a published spec, at its JSON pointer.
    assert any(
        "/components/schemas/CreateVectorStoreRequest/properties/file_ids" in line for line in lines
    ), done.said
    # The generator's: the schema it leaves out, and the YAML anchor defined twice.
    assert any(line.startswith("warning: openapi-python-client: ") and LEFT_OUT in line for line in lines), (
        done.said
    )
    assert any("&model_description" in line for line in lines), done.said
    assert done.stdout.strip().endswith(f"from {FILES_API}"), done.said
    assert (done.output / GENERATED_PACKAGE / "api" / "files" / "upload_file.py").is_file()
    assert "## Uploads and downloads" in (done.output / "README.md").read_text(encoding="utf-8")


def test_strict_makes_the_generators_warnings_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--strict, which scripts/generate gives for the project's own spec: a schema left out fails it."""
    status, said = run_runner(
        str(FILES_API), str(tmp_path / "client"), "--strict", capsys=capsys, monkeypatch=monkeypatch
    )
    assert status == 1, said
    lines = assert_one_line_each(said)
    assert any(line.startswith("error: openapi-python-client: ") and LEFT_OUT in line for line in lines), said
    assert lines[-1].startswith("error: ") and "the project's own client" in lines[-1], said


def test_a_document_the_generator_refuses_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text("openapi: 3.0.0\ninfo:\n  title: No version\npaths: {}\n", encoding="utf-8")
    status, said = run_runner(str(spec), str(tmp_path / "client"), capsys=capsys, monkeypatch=monkeypatch)
    assert status == 1, said
    lines = assert_one_line_each(said)
    assert any(line.startswith("error: openapi-python-client: ") for line in lines), said
    assert lines[-1] == "error: 1 of the problems above: no client was generated", said
    assert not (tmp_path / "client").exists()


def test_a_missing_spec_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere.yaml"
    status, said = run_runner(str(missing), str(tmp_path / "client"), capsys=capsys, monkeypatch=monkeypatch)
    assert status == 1
    assert assert_one_line_each(said) == [f"error: cannot read {missing}: No such file or directory"]


def _response(media_type: str, schema: object | None) -> dict[str, object]:
    media: dict[str, object] = {} if schema is None else {"schema": schema}
    return {"description": "OK", "content": {media_type: media}}


BINARY_SCHEMA = {"type": "string", "format": "binary"}


def test_media_types_the_generator_does_not_know_are_read_as_bytes_where_they_carry_bytes() -> None:
    document = {
        "paths": {
            "/speech": {
                "post": {
                    "requestBody": {"content": {"audio/wav": {"schema": BINARY_SCHEMA}}},
                    "responses": {"200": _response("audio/mpeg", BINARY_SCHEMA)},
                }
            },
            "/image": {"get": {"responses": {"200": {"$ref": "#/components/responses/Png"}}}},
            "/report": {
                "get": {
                    "responses": {
                        "200": _response("application/pdf", None),
                        "201": _response("application/xml", {"type": "object"}),
                        "202": _response("text/csv", {"type": "string"}),
                        "203": _response("application/vnd.api+json", {"type": "object"}),
                    }
                }
            },
            "/mixed": {
                "get": {
                    "responses": {
                        "200": _response("image/gif", BINARY_SCHEMA),
                        "201": _response("image/gif", {"type": "object"}),
                    }
                }
            },
        },
        "components": {"responses": {"Png": _response("image/png", {"$ref": "#/components/schemas/Bytes"})}},
    }
    document["components"]["schemas"] = {"Bytes": BINARY_SCHEMA}  # type: ignore[index]
    assert binary_overrides(document) == {
        "application/pdf": BINARY,
        "audio/mpeg": BINARY,
        "audio/wav": BINARY,
        "image/png": BINARY,
    }


DUPLICATE = 'Attempted to generate duplicate models with name "Text"'
UNION = (
    "Invalid property in union"
    " <openapi_python_client.schema.untrusted_string.UntrustedString object at 0x7f46a9c1e750>"
)
REMOVED = "Failure to process schema has resulted in the removal of:"


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (
            PropertyError(
                header="Unable to parse schema /components/schemas/B",
                detail=f"Unable to parse this part of your OpenAPI document: : {DUPLICATE}",
            ),
            f"Unable to parse schema /components/schemas/B: {DUPLICATE}",
        ),
        (
            PropertyError(
                header="\nUnable to process schema /components/schemas/C:",
                detail=f"{UNION}\n\n{REMOVED}\n/components/schemas/C",
            ),
            f"Unable to process schema /components/schemas/C: Invalid property in union {REMOVED}"
            " /components/schemas/C",
        ),
        (
            GeneratorError(level=ErrorLevel.ERROR, header="Failed to parse OpenAPI document", detail=None),
            "Failed to parse OpenAPI document",
        ),
    ],
)
def test_a_generator_message_in_one_line(error: GeneratorError, line: str) -> None:
    assert one_line(error) == line
