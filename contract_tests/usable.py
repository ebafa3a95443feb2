"""What the contract suite, the reference server and the client tests need of a spec, said in one line.

`make generate` and `make lint` run this (through `python -m contract_tests.spec`) before anything
else, so that a spec edit that takes away something they rely on (the seed's operation, a JSON request
body, an error schema, an example valid against its schema, a schema no value can be built for, the error
responses every server gives: 401 on a secured operation...) is
named at once, not found as a failing test.
"""

from __future__ import annotations

from pathlib import Path

from contract_tests.spec import SpecError


def check_usable(path: Path | str) -> None:
    """SpecError, in one line, naming the first thing the spec lacks."""
    from contract_tests.server.app import create_app  # noqa: PLC0415 (heavy: only once the spec is valid)
    from contract_tests.server.rules import undocumented_errors  # noqa: PLC0415
    from contract_tests.suite.operation import load_operations  # noqa: PLC0415

    operations = load_operations(str(Path(path).resolve()))
    seed = operations[0]
    values = seed.values
    # Every body the suite sends and the client tests draw starts from values built from the schemas.
    for pointer in (seed.request_schema_pointer, seed.assistant_schema_pointer):
        if pointer is not None:
            values.minimal(pointer)
            values.largest(pointer)
    for op in operations:
        for rule in op.rules.parameters:
            values.example(rule.schema_pointer)
        # Every server answers these (the key, header and body checks): the spec must document them.
        missing = undocumented_errors(op.document, op.rules)
        if missing:
            listed = ", ".join(f"{status} ({why})" for status, why in missing.items())
            raise SpecError(
                f"{op.label} documents no response for {listed}: add them, a 4XX or a default response"
            )
    try:
        create_app(spec_path=path)  # builds every operation's success body from its schema
    except ValueError as exc:
        raise SpecError(f"the reference server cannot serve the spec: {exc}") from None
