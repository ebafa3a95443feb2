"""The settings of one run and their defaults (light to import: the CLI reads them before schemathesis)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contract_tests.api.document import SPEC_PATH

# Fixed, so that CI runs send the same cases every time; `--seed random` asks for new ones.
DEFAULT_SEED = 20240101
# Generated cases per mode (positive, negative), on top of the spec-derived bodies and probes.
DEFAULT_EXAMPLES = 75
DEFAULT_TIMEOUT = 10.0


class ServerUnreachable(Exception):
    """The server refused the connection, or did not answer in time: a one-line reason."""


class KeyRefused(Exception):
    """The server answered 401 to the spec's own example with the caller's key: the key, not the server,
    is wrong, and judging the run would report every check as broken."""


@dataclass(frozen=True)
class SuiteConfig:
    base_url: str
    api_key: str
    seed: int = DEFAULT_SEED
    examples: int = DEFAULT_EXAMPLES
    timeout: float = DEFAULT_TIMEOUT  # seconds to wait for each response
    spec_path: Path = SPEC_PATH
    # Where reproduction commands keep request bodies too long (or too binary) to spell out: the CLI puts
    # them next to the JUnit report, so that CI can keep both; None: a new private temporary directory.
    bodies_dir: Path | None = None
    # The `model` every valid body names (the spec's examples and generated valid cases), for a server
    # that checks the model exists; None: as the spec's examples and the generator make them.
    model: str | None = None
    # Other request fields pinned so (field name -> value), wherever a valid body has the field.
    pins: tuple[tuple[str, str], ...] = ()
    # Headers sent with every request, for one a server needs that the spec does not declare.
    headers: tuple[tuple[str, str], ...] = ()
    # What reproduction commands name the server by instead of `base_url` (an app served in this process
    # on a port gone when it exits: `$BASE_URL`); None: its URL.
    shown_base_url: str | None = None
    # Fail the run where an operation is not testable or no request brought it to a 2xx.
    require_coverage: bool = False
    # Judge only these operations (by operationId; empty: all), and of them one shard's share ("2/4").
    operations: tuple[str, ...] = ()
    shard: str | None = None
    # Failures of each check described in full (what was sent and received, a reproduction): the console
    # shows a few; a report asked for keeps every one (up to results.KEPT_FAILURES).
    detailed: int = 3

    def pinned_fields(self) -> dict[str, str]:
        found = dict(self.pins)
        if self.model:
            found["model"] = self.model  # `--model`: the pin most servers need
        return found
