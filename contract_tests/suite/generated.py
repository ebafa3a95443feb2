"""Cases schemathesis generates from the spec, positive and negative, reproducibly from a seed.

The cases depend on the spec, the seed and the options alone: Hypothesis's example database is off, and
it runs isolated from the process (contract_tests.isolation): no constant drawn from imported code,
nothing written in the working directory.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import hypothesis
import hypothesis.errors
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import Case
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.generation.modes import GenerationMode

from contract_tests.api.model import Operation, load_api
from contract_tests.isolation import isolated


class Schemas:
    """The spec loaded by schemathesis, configured as the spec says a server answers.

    By default schemathesis accepts many statuses for valid data (3xx, 401, 404, 409, 5xx...) and
    calls a 413 or a 5xx to invalid data a rejection. The spec says a valid request with a valid key
    gets its 2xx; where the path names a resource by a parameter, a 404 also (the resource may not
    exist); and an invalid one gets a 4xx. Schemathesis configures checks per schema, so there is one
    of each kind.
    """

    def __init__(self, spec_path: Path) -> None:
        self.direct = self._load(spec_path, ["2xx"])
        self.lookup = self._load(spec_path, ["2xx", "404"])

    @staticmethod
    def _load(spec_path: Path, accepted: list[str]) -> Any:
        # The document as the project reads it (schemathesis's own YAML reading refuses an anchor
        # defined twice, which published specs have).
        schema = schemathesis.openapi.from_dict(copy.deepcopy(load_api(spec_path).raw))
        schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
            expected_statuses=accepted
        )
        # Its config class is not exported: take it from the default config it replaces.
        negative = type(schema.config.checks.negative_data_rejection)
        schema.config.checks.negative_data_rejection = negative(expected_statuses=["4xx"])
        # `format` is an annotation, as JSON Schema 2020-12 reads it and every rule of the project does: a
        # server that keeps a value of no format does not break the schema (it echoes what it was sent).
        conformance = type(schema.config.checks.response_schema_conformance)
        schema.config.checks.response_schema_conformance = conformance(validate_formats=False)
        return schema

    def operation(self, op: Operation) -> Any:
        """Schemathesis's APIOperation for one of the spec's operations."""
        schema = self.lookup if op.path_parameters else self.direct
        return schema[op.path][op.method]


def generate(operation: Any, mode: GenerationMode, count: int, seed: int) -> list[Case[Any]]:
    """Up to `count` cases of `mode` for a schemathesis APIOperation; the same seed gives the same cases."""
    cases: list[Case[Any]] = []

    @hypothesis.seed(seed)
    @hypothesis.settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],  # no shrinking: nothing fails inside this function
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @hypothesis.given(operation.as_strategy(generation_mode=mode))
    def collect(case: Case[Any]) -> None:
        cases.append(case)

    try:
        with isolated():
            collect()
    except hypothesis.errors.Unsatisfiable:
        return []  # nothing to vary (an operation with no parameters and no body has no invalid case)
    return cases
