"""Cases schemathesis generates from the spec, positive and negative, reproducibly from a seed."""

from __future__ import annotations

from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase
from schemathesis import Case
from schemathesis.generation.modes import GenerationMode


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

    collect()
    return cases
