"""What every check may consult during one run: the spec's operations, the server's address, the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

import requests

from contract_tests.suite.exchange import Exchange
from contract_tests.suite.masking import Masker
from contract_tests.suite.operation import Operation


@dataclass
class RunContext:
    """Shared by the checks of one run; `seen_ids` lets a check tell a reused assistant id."""

    operations: dict[str, Operation]  # by operationId, the seed's first
    base_url: str
    api_key: str
    session: requests.Session
    timeout: float
    mask: Masker  # every text taken from an exchange goes through it before it is cut or shown
    seen_ids: dict[str, str] = field(default_factory=dict)

    @property
    def operation(self) -> Operation:
        """The seed's operation."""
        return next(iter(self.operations.values()))

    def operation_for(self, exchange: Exchange) -> Operation:
        return self.operations.get(exchange.operation, self.operation)

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}
