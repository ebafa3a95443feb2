"""Generates a client of an OpenAPI document with openapi-python-client, the project's config and templates.

`python scripts/python/generate_client.py SPEC OUTPUT [--strict]` (scripts/generate runs it). The generator
is called as a library rather than through its CLI, so that what it says can be said in one line each,
and the document is read once, by the generator's own YAML reader:

- a warning (a schema or an operation it cannot read, and leaves out of the client; a YAML anchor
  defined twice) is printed as `warning: ...` and generation goes on: a published spec always has some;
- an error (no client could be made) is printed as `error: ...` and the exit status is 1;
- `--strict` makes a warning an error too: for the project's own spec, whose client is committed under
  generated/ and whose tests call every operation, a part left out is a fault to fix, not to ship.

Media types the generator does not know (`audio/mpeg`, `image/png`, ...) with a binary schema (or
none) are read as `application/octet-stream` (the generator's `content_type_overrides`): a download
gives its bytes (`types.File`), an upload sends them with its own `Content-Type`, where the generator
alone would leave the response or the whole operation out.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from openapi_python_client import Project
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser import GeneratorData
from openapi_python_client.parser.errors import ErrorLevel, GeneratorError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError, YAMLWarning

GENERATOR_DIR = Path(__file__).resolve().parents[1] / "generator"
CONFIG = GENERATOR_DIR / "config.yaml"
TEMPLATES = GENERATOR_DIR / "templates"
BINARY = "application/octet-stream"

# Media types the generator reads itself (openapi_python_client.parser.bodies and .responses).
_KNOWN = ("application/json", BINARY, "multipart/form-data", "application/x-www-form-urlencoded")
# Words of the generator's messages that say nothing in a one-line warning.
_NOISE = (
    re.compile(r"Unable to parse this part of your OpenAPI document: :?\s*"),
    re.compile(r"\s*<openapi_python_client\.[\w.]+ object at 0x[0-9a-f]+>"),
)


def _known(media_type: str) -> bool:
    bare = media_type.split(";", 1)[0].strip().lower()
    return bare in _KNOWN or bare.endswith("+json") or bare.startswith("text/")


class Unreadable(Exception):
    """The document cannot be read at all: said in one line."""


def _at(document: Any, pointer: str) -> Any:
    """The node at a JSON pointer (RFC 6901), or None."""
    node = document
    for token in pointer.split("/")[1:]:
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def _resolved(document: dict[str, Any], node: Any) -> Any:
    """`node`, or what its local `$ref` points to (a chain of them too), or None where it points nowhere."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
        ref = node["$ref"]
        if ref in seen:
            return None
        seen.add(ref)
        node = _at(document, ref[1:])
    return node


def _contents(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The `content` map of every request body and response of the document's operations."""
    for written in (document.get("paths") or {}).values():
        item = _resolved(document, written)
        for operation in item.values() if isinstance(item, dict) else ():
            if not isinstance(operation, dict):
                continue
            responses = operation.get("responses")
            parts = [
                operation.get("requestBody"),
                *(responses.values() if isinstance(responses, dict) else ()),
            ]
            for part in (_resolved(document, part) for part in parts):
                if isinstance(part, dict) and isinstance(part.get("content"), dict):
                    yield part["content"]


def _binary(document: dict[str, Any], media: Any) -> bool:
    """Whether a media type object carries bytes: no schema, or a string of format binary."""
    media = _resolved(document, media)
    if not isinstance(media, dict) or media.get("schema") is None:
        return True
    schema = _resolved(document, media["schema"])
    return isinstance(schema, dict) and schema.get("type") == "string" and schema.get("format") == "binary"


def binary_overrides(document: dict[str, Any]) -> dict[str, str]:
    """`content_type_overrides` reading each unknown media type as application/octet-stream, where
    every use of it in the document is binary."""
    uses: dict[str, bool] = {}
    for content in _contents(document):
        for media_type, media in content.items():
            if isinstance(media_type, str) and not _known(media_type):
                uses[media_type] = uses.get(media_type, True) and _binary(document, media)
    return {media_type: BINARY for media_type, binary in sorted(uses.items()) if binary}


def one_line(error: GeneratorError) -> str:
    """A generator's warning or error in one line: its header and detail, without its data dump."""
    parts = []
    for written in (error.header, error.detail):
        part = written or ""
        for noise in _NOISE:
            part = noise.sub(" ", part)
        part = " ".join(part.split()).rstrip(":")
        if part:
            parts.append(part)
    text = ": ".join(parts)
    return text[:300] + ("..." if len(text) > 300 else "")


def _yaml_warning(warning: warnings.WarningMessage) -> str:
    """ruamel's ReusedAnchorWarning (several lines) in one line; any other warning as it is."""
    text = str(warning.message)
    anchor = re.search(r"duplicate anchor '([^']+)'", text)
    lines = re.findall(r"line (\d+)", text)
    if anchor and len(lines) == 2:
        return (
            f"the YAML anchor &{anchor.group(1)} of line {lines[0]} is defined again at line {lines[1]}:"
            " aliases after it mean the new one"
        )
    return " ".join(text.split())


def read_document(spec: Path) -> dict[str, Any]:
    """The document, read as openapi-python-client reads it (ruamel.yaml; JSON is YAML), or Unreadable."""
    try:
        document = YAML(typ="safe").load(spec.read_bytes())
    except OSError as exc:
        raise Unreadable(f"cannot read {spec}: {exc.strerror}") from exc
    except YAMLError as exc:
        raise Unreadable(f"{spec} is not valid YAML: {' '.join(str(exc).split())}") from exc
    if not isinstance(document, dict):
        raise Unreadable(f"{spec} is not an OpenAPI document (not a mapping)")
    return document


def config_for(document: dict[str, Any], spec: Path, output: Path) -> Config:
    """The project's generator config, with the binary media types of the document."""
    config_file = ConfigFile.load_from_path(CONFIG)
    overrides = binary_overrides(document)
    if overrides:
        config_file.content_type_overrides = {**(config_file.content_type_overrides or {}), **overrides}
    return Config.from_sources(config_file, MetaType.UV, spec, "utf-8", True, output_path=output)


def generate(spec: Path, output: Path) -> Sequence[GeneratorError]:
    """openapi_python_client.generate, on the document read once (the generator would read it again)."""
    document = read_document(spec)
    config = config_for(document, spec, output)
    openapi = GeneratorData.from_dict(document, config=config)
    if isinstance(openapi, GeneratorError):
        return [openapi]
    return Project(openapi=openapi, config=config, custom_template_path=TEMPLATES).build()


def run(spec: Path, output: Path, *, strict: bool) -> int:
    said = io.StringIO()  # the generator's progress line ("Generating ...")
    errors: Sequence[GeneratorError]
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(said):
        warnings.simplefilter("always")
        try:
            errors = generate(spec, output)
        except Unreadable as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        except Exception as exc:  # a template or the generator itself failed: one line, not a traceback
            message = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
            print(f"error: openapi-python-client failed on {spec}: {message}", file=sys.stderr)
            return 1
    fatal = [error for error in errors if error.level == ErrorLevel.ERROR or strict]
    # What the YAML reader says of the document; other libraries' Python warnings are not about the spec.
    yaml_said = [warning for warning in caught if issubclass(warning.category, YAMLWarning)]
    lines = [f"warning: {spec}: {_yaml_warning(warning)}" for warning in yaml_said]
    for error in errors:
        word = "error" if error in fatal else "warning"
        lines.append(f"{word}: openapi-python-client: {one_line(error)}")
    for line in lines:
        print(line, file=sys.stderr)
    if fatal:
        why = (
            "the project's own client must have every part of its spec: fix the spec"
            if strict and all(error.level == ErrorLevel.WARNING for error in fatal)
            else "no client was generated"
        )
        print(f"error: {len(fatal)} of the problems above: {why}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("spec", type=Path, help="the OpenAPI document")
    parser.add_argument("output", type=Path, help="the folder to generate the client into")
    parser.add_argument("--strict", action="store_true", help="fail on the generator's warnings too")
    args = parser.parse_args(argv)
    return run(args.spec, args.output, strict=args.strict)


if __name__ == "__main__":
    sys.exit(main())
