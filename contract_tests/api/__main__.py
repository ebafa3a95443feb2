"""`python -m contract_tests.api [--strict] [PATH]`: say what the spec lacks before anything runs.

Exit 1 with one line, `error: ...`, when no operation of the spec can be tested (not OpenAPI, nothing to
read); else exit 0, with a `warning: ...` line for each flaw, each operation not testable, and (`--strict`,
what `make generate` asks of a spec it serves and generates a client from) each error response an
operation does not document (contract_tests.api.needs).
"""

from __future__ import annotations

import sys

from contract_tests.api.document import SPEC_PATH, SpecError
from contract_tests.api.needs import check_needs, warnings


def main(argv: list[str]) -> int:
    strict = "--strict" in argv
    paths = [arg for arg in argv if arg != "--strict"]
    path = paths[0] if paths else str(SPEC_PATH)
    try:
        api = check_needs(path)
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for line in warnings(api, strict=strict):
        print(f"warning: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
