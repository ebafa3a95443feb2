"""What the project's tools need of a spec: said before anything runs, each lack in one line.

A spec is refused only when it cannot be used at all: not YAML or JSON, not OpenAPI 3 (Swagger 2.0 is
said so), or no operation that can be read. Anything less is a flaw confined to some operations
(contract_tests.api.flaws): those are reported "not testable" with the JSON pointer and the reason, and
every other operation is judged. A user's spec is judged as it is otherwise: an example invalid against
its own schema is not used, a fault it documents no status for is judged by HTTP's rules.

The project asks more of a spec it generates a client from and serves (`make generate`: `strict`): valid
examples, and the errors every server of it gives documented for each operation (401 when it is
secured, 400 or 422 when a parameter or its body can be invalid, 415 and 413 with a body, 404 when its
path names a resource). Those are warnings: the suite judges what is not documented by HTTP's rules.
"""

from __future__ import annotations

from pathlib import Path

from contract_tests.api.document import SpecError, load_spec
from contract_tests.api.faults import covers
from contract_tests.api.model import Api, build_api, load_api
from contract_tests.api.validators import validator_for


def check_needs(path: Path | str, *, sends: bool = True) -> Api:
    """The model of the spec at `path`, or SpecError (one line) when no operation of it can be tested.
    `sends=False` for the judging mock and the proxy, which build no request: an operation no request
    of can be built (a published spec's `required` field its `additionalProperties: false` forbids) is
    then every client's finding, not a reason not to start."""
    load_spec(path)  # a document that is not OpenAPI at all: said before anything else
    api = load_api(path)
    if sends and len(api.untestable) >= len(api.operations) + len(api.unread):
        first = next(iter(api.untestable.items()))
        raise SpecError(f"{path}: no operation can be tested ({first[0]}: {first[1]})")
    return api


def warnings(api: Api, *, strict: bool = False) -> list[str]:
    """What the spec lacks, one line each: its flaws, the operations not testable and why, and (`strict`)
    what the project asks of a spec it serves and generates a client from."""
    found = [f"the spec breaks OpenAPI at {flaw}" for flaw in api.flaws]
    found += [f"{label} is not testable: {why}" for label, why in api.untestable.items()]
    if not strict:
        return found
    for op in api.operations:
        if op.operation_id in api.untestable:
            continue
        found += _invalid_examples(api, op.operation_id)
        missing = {
            op.statuses(fault).answer: why
            for fault, why in op.faults().items()
            if not covers(op.documented, op.statuses(fault).answer)
        }
        if missing:
            listed = ", ".join(f"{status} ({why})" for status, why in sorted(missing.items()))
            found.append(
                f"{op.label} documents no response for {listed}: the suite judges them by HTTP's rules;"
                " document them (or a 4XX or default response) to have them judged by the spec"
            )
    return found


def _invalid_examples(api: Api, operation_id: str) -> list[str]:
    op = api.operation(operation_id)
    if op.body is None or op.body.schema_pointer is None:
        return []
    validator = validator_for(op.body.schema_pointer, api.document)
    found = []
    for name, value in op.body.examples.items():
        errors = sorted(validator.iter_errors(value), key=lambda error: len(error.absolute_path))
        if errors:
            error = errors[-1]
            where = "/".join(str(part) for part in error.absolute_path) or "(root)"
            found.append(
                f"{op.operation_id}: the request example {name!r} is invalid against its own schema"
                f" (at {where}: {error.message[:200]}): not used"
            )
    return found


__all__ = ["build_api", "check_needs", "warnings"]
