"""What the project's tools need of a spec, each lack said in one line (SpecError), before anything runs.

Any spec the suite is given (`--spec`, a published one included) must be OpenAPI (3.0 or 3.1) whose
`$ref`s resolve, with operations that each document a success response, and schemas a value can be built
for: anything less truly cannot be tested. A user's spec is judged as it is otherwise: an example invalid
against its own schema is not used, a fault it documents no status for is judged by HTTP's rules.

The project's own spec (`make generate`, `make lint`: `strict`) is held to more, since its reference
server and its tests rely on it: its examples must be valid, and each operation must document the errors
every server of it gives (401 when it is secured, 400 or 422 when a parameter or its body can be invalid,
415 and 413 with a body, 404 when its path names a resource), by number, by range (`4XX`) or by `default`.
"""

from __future__ import annotations

from pathlib import Path

from contract_tests.api.document import SpecError, check_openapi, load_spec
from contract_tests.api.faults import covers
from contract_tests.api.model import Api, build_api, load_api
from contract_tests.api.validators import validator_for


def check_needs(path: Path | str, *, strict: bool = False, sends: bool = True) -> Api:
    """The model of the spec at `path`, or SpecError naming the first thing it lacks. `sends=False` for
    the judging mock and the proxy, which build no request: a request schema no value can meet (a
    published spec's `required` field its `additionalProperties: false` forbids) is then every client's
    finding, not a reason not to start."""
    check_openapi(load_spec(path), str(path))
    api = load_api(path)
    values = api.values
    for op in api.operations:
        if op.body is not None and sends:
            values.minimal(op.body.schema_pointer)
            values.largest(op.body.schema_pointer)
            if strict:
                _examples_valid(api, op.operation_id)
        if op.success.schema_pointer is not None:
            values.minimal(op.success.schema_pointer)
            values.largest(op.success.schema_pointer)
        for parameter in op.parameters:
            api.parameter_example(parameter)
        if strict:
            missing = {
                op.statuses(fault).answer: why
                for fault, why in op.faults().items()
                if not covers(op.documented, op.statuses(fault).answer)
            }
            if missing:
                listed = ", ".join(f"{status} ({why})" for status, why in sorted(missing.items()))
                raise SpecError(
                    f"{op.label} documents no response for {listed}: add them, a 4XX or a default response"
                )
    return api


def _examples_valid(api: Api, operation_id: str) -> None:
    op = api.operation(operation_id)
    assert op.body is not None
    validator = validator_for(op.body.schema_pointer, api.document)
    for name, value in op.body.examples.items():
        errors = sorted(validator.iter_errors(value), key=lambda error: len(error.absolute_path))
        if errors:
            error = errors[-1]
            where = "/".join(str(part) for part in error.absolute_path) or "(root)"
            raise SpecError(
                f"{op.operation_id}: the request example {name!r} is invalid against its own schema"
                f" (at {where}: {error.message[:200]})"
            )


__all__ = ["build_api", "check_needs"]
