"""`python -m contract_tests.api [--strict] [PATH]`: exit 1 with a one-line error unless the spec is
OpenAPI the project's tools can use (contract_tests.api.needs); `--strict` holds it to what the project
asks of its own spec."""

from __future__ import annotations

import sys

from contract_tests.api.document import SPEC_PATH, SpecError
from contract_tests.api.needs import check_needs


def main(argv: list[str]) -> int:
    strict = "--strict" in argv
    paths = [arg for arg in argv if arg != "--strict"]
    path = paths[0] if paths else str(SPEC_PATH)
    try:
        check_needs(path, strict=strict)
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
