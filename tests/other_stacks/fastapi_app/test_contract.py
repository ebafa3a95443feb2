"""The contract of assistants-contract, checked in this FastAPI app's own pytest suite.

The project's pytest entry collects one test per operation of the spec and check of the suite; the
suite runs once per process, on the first of them, against the app served in a thread of it. The app
serves only some of a spec's operations (those whose answer needs nothing kept): it is judged on the
operations it routes, and the tests of the others are skipped with the reason.

`make test` runs pytest-xdist with `--dist loadfile`, so every test of this module runs in one worker
and the suite runs once.
"""

from __future__ import annotations

from contract_tests.api.model import load_api
from contract_tests.pytest_plugin import contract_checks
from tests.other_stacks.fastapi_app.app import create_app
from tests.other_stacks.routed import routed_operations

KEY = "sk-fastapi-test-3f9a1c0e7b5d4a2f"
EXAMPLES = 25

APP = create_app(api_key=KEY)
test_contract = contract_checks(
    app=APP, api_key=KEY, examples=EXAMPLES, operations=routed_operations(APP, load_api())
)
