"""The contract of assistants-contract, checked in this FastAPI app's own pytest suite.

The project's pytest entry collects one test per operation of the spec and check of the suite; the
suite runs once per process, on the first of them, against the app served in a thread of it.

The xdist_group mark asks `make test` (pytest-xdist, --dist loadgroup) to keep them on one worker. With
the pinned pytest 9.2.0 and pytest-xdist 3.8.0 it has no effect (xdist renames grouped items through
`item._nodeid`, which pytest 9.2 no longer reads), so each of the two workers may run the suite once.
"""

from __future__ import annotations

import pytest

from contract_tests.pytest_plugin import contract_checks
from tests.other_stacks.fastapi_app.app import create_app

KEY = "sk-fastapi-test-3f9a1c0e7b5d4a2f"
EXAMPLES = 25

pytestmark = pytest.mark.xdist_group("fastapi-app-contract")

test_contract = contract_checks(app=create_app(api_key=KEY), api_key=KEY, examples=EXAMPLES)
