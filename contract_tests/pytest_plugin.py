"""The contract suite inside a server's own pytest suite (registered through the `pytest11` entry point).

In a test module of the server under test:

    from contract_tests.pytest_plugin import contract_checks

    test_contract = contract_checks(app="myservice.main:app")  # or app=<the app object>, or base_url=...

collects one test per operation and check of the suite (`test_contract[createAssistant-
invalid_body_rejected]`, ...). The suite runs once, on the first of them, against the app served in
a thread of the test process (or the server at `base_url`); each test then passes, fails with the
suite's own message (what was sent, what came back, a reproduction) or is skipped when its check had
no case to judge. The key is `api_key=` or $API_KEY. The `contract_suite` fixture runs the suite
directly and returns its RunResult, for tests of one's own.

`operations=` (operationIds) judges only those operations, for an app that implements some of the
spec's: the others may still be sent to reach them (the create of an object a retrieve needs), and their
tests are skipped with the reason. None (the default) judges all; an empty list none, every test skipped.

The client side: the `contract_mock` fixture starts the judging mock for one test (in process, on a free
port), points the SDKs at it through the environment (OPENAI_BASE_URL, OPENAI_API_KEY, BASE_URL,
API_KEY; restored after), serves the faults the test asks for (`contract_mock.fault(429, times=2,
retry_after=0.5)`), and fails the test with each rule the client broke. Options: the marker
`@pytest.mark.contract_mock(spec=..., stateless=True, faults=..., seed=...)`, or for every test an
override of the `contract_mock_options` fixture returning them (docs/clients.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from contract_tests.api.document import SPEC_PATH
from contract_tests.masking import Masker, masked_output, near_misses
from contract_tests.serving import load_app, serve_in_thread
from contract_tests.suite.config import DEFAULT_EXAMPLES, DEFAULT_SEED, DEFAULT_TIMEOUT, SuiteConfig
from contract_tests.suite.results import CheckResult, RunResult

if TYPE_CHECKING:
    from contract_tests.mock.session import ContractMock

Runner = Callable[..., RunResult]
MOCK_FIXTURE = "contract_mock"


def run_contract(
    *,
    app: Any = None,
    base_url: str | None = None,
    api_key: str | None = None,
    spec: Path | str = SPEC_PATH,
    seed: int = DEFAULT_SEED,
    examples: int = DEFAULT_EXAMPLES,
    timeout: float = DEFAULT_TIMEOUT,
    model: str | None = None,
    operations: Iterable[str] | None = None,
) -> RunResult:
    """Run the suite against `app` (an app object, or "module:attribute") or the server at `base_url`;
    with `operations`, judge only those (by operationId; None: all)."""
    from contract_tests.suite.runner import run_suite  # noqa: PLC0415 (schemathesis loads only when run)

    key = api_key or os.environ.get("API_KEY", "")
    if not key:
        raise pytest.UsageError("the contract suite needs the key the server accepts: api_key= or $API_KEY")
    if (app is None) == (base_url is None):
        raise pytest.UsageError("the contract suite needs app= or base_url= (one of them)")
    judged = _judged(spec, operations)
    if judged == ():
        raise pytest.UsageError("operations= names no operation: there is nothing to judge")

    def config(url: str, shown: str | None = None) -> SuiteConfig:
        return SuiteConfig(
            url,
            key,
            seed,
            examples,
            timeout,
            Path(spec),
            model=model,
            shown_base_url=shown,
            operations=judged or (),
        )

    if base_url is not None:
        return run_suite(config(base_url))
    with masked_output(Masker(key, *near_misses(key).values())):
        served = load_app(app) if isinstance(app, str) else app
        with serve_in_thread(served) as url:
            # The app's port is gone when the tests end: reproductions name the server $BASE_URL.
            return run_suite(config(url, "$BASE_URL"))


def _check_ids(spec: Path | str) -> list[tuple[str, str]]:
    from contract_tests.api.model import load_api  # noqa: PLC0415
    from contract_tests.suite.runner import checks_for  # noqa: PLC0415

    api = load_api(spec)
    return [(op.operation_id, name) for op in api.operations for name in checks_for(api, op)]


def _judged(spec: Path | str, operations: Iterable[str] | None) -> tuple[str, ...] | None:
    """The operationIds `operations=` names (None: all), each one the spec has (else a UsageError)."""
    if operations is None:
        return None
    if isinstance(operations, str):
        raise pytest.UsageError(f"operations= takes a list of operationIds, got the string {operations!r}")
    from contract_tests.api.model import load_api  # noqa: PLC0415

    names = tuple(dict.fromkeys(operations))
    api = load_api(spec)
    known = {op.operation_id for op in api.operations} | set(api.unread)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise pytest.UsageError(f"operations=: the spec {spec} has no operation {unknown[0]!r}")
    return names


def contract_checks(**options: Any) -> Callable[..., None]:
    """A test function, parametrized by operation and check, that runs the suite once (see above)."""
    results: dict[str, RunResult] = {}
    spec = options.get("spec", SPEC_PATH)
    judged = _judged(spec, options.get("operations"))

    failed: list[BaseException] = []

    @pytest.mark.parametrize(("operation", "check"), _check_ids(spec))
    def test_contract(operation: str, check: str) -> None:
        if judged is not None and operation not in judged:
            named = ", ".join(judged) or "none"
            pytest.skip(f"{operation}: not judged, operations= names {named}")
        if failed:  # the run itself could not be made: every test says so, none runs it again
            raise failed[0]
        if "run" not in results:
            try:
                results["run"] = run_contract(**options)
            except BaseException as exc:
                failed.append(exc)
                raise
        _verdict(results["run"], operation, check, options.get("api_key") or os.environ.get("API_KEY", ""))

    return test_contract


def _verdict(result: RunResult, operation: str, check: str, key: str) -> None:
    tally: CheckResult = result.operations[operation].checks[check]
    if not tally.cases:
        pytest.skip(f"{check}: no case of this run was one it judges")
    if tally.failure_count:
        mask = Masker(key, *near_misses(key).values())
        blocks = [f"case: {f.label}\nbroke: {f.reason}\n{f.details}" for f in tally.failures]
        more = tally.failure_count - len(tally.failures)
        text = (
            f"{check} on {result.operations[operation].label}: {tally.failure_count} of {tally.cases} cases"
        )
        text += f" broke: {tally.rule}\n\n" + "\n\n".join(blocks) + (f"\n... and {more} more" if more else "")
        pytest.fail(mask(text), pytrace=False)


@pytest.fixture
def contract_suite() -> Runner:
    """`contract_suite(app=..., base_url=..., api_key=..., seed=..., examples=...)`: the suite's RunResult."""
    return run_contract


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MOCK_FIXTURE}(spec=PATH, stateless=False, faults=RULES, seed=0, api_key=KEY): the options of the"
        f" {MOCK_FIXTURE} fixture for this test",
    )


@pytest.fixture
def contract_mock_options() -> dict[str, Any]:
    """The `contract_mock` fixture's options for every test (spec, stateless, faults, seed, api_key):
    override this fixture in a conftest.py; a test's `contract_mock` marker overrides it in turn."""
    return {}


@pytest.fixture
def contract_mock(
    request: pytest.FixtureRequest, contract_mock_options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[ContractMock]:
    """The judging mock for this test, the SDKs pointed at it; the test fails if the client breaks the
    contract (see above)."""
    from contract_tests.api.document import SpecError  # noqa: PLC0415 (the mock loads only when used)
    from contract_tests.mock.faults import FaultError  # noqa: PLC0415
    from contract_tests.mock.session import ContractMock  # noqa: PLC0415
    from contract_tests.serving import AppError  # noqa: PLC0415

    options = dict(contract_mock_options)
    marker = request.node.get_closest_marker(MOCK_FIXTURE)
    if marker is not None:
        options.update(marker.kwargs)
    try:
        mock = ContractMock(**options)
    except TypeError as exc:
        pytest.fail(f"error: the {MOCK_FIXTURE} options: {exc}", pytrace=False)
    except (SpecError, FaultError, ValueError, AppError) as exc:
        pytest.fail(f"error: {exc}", pytrace=False)
    with mock.serving():
        for name, value in mock.environment().items():
            monkeypatch.setenv(name, value)
        yield mock


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None]:
    """A test that used `contract_mock` fails when its client broke the contract, naming each rule (as
    a section of its report when it failed for a reason of its own)."""
    funcargs = getattr(item, "funcargs", {})
    mock = funcargs.get(MOCK_FIXTURE) if isinstance(funcargs, dict) else None
    try:
        yield
    except BaseException:
        broke = mock.failure() if mock is not None else None
        if broke:
            item.add_report_section("call", "contract", broke)
        raise
    broke = mock.failure() if mock is not None else None
    if broke:
        pytest.fail(broke, pytrace=False)
