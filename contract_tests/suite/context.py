"""What every check may consult during one run: the API, the server's address, the key, the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

import requests

from contract_tests.api.model import Operation
from contract_tests.api.security import Scheme
from contract_tests.rules.checks import Judge


@dataclass(frozen=True)
class Credentials:
    """Where a request carries the key: headers, query parameters, cookies."""

    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


def credentials(schemes: tuple[Scheme, ...], key: str) -> Credentials:
    """`key` in each of `schemes` (an alternative of a security requirement)."""
    found = Credentials()
    for scheme in schemes:
        where = {"header": found.headers, "query": found.query, "cookie": found.cookies}[scheme.location]
        where[scheme.parameter] = scheme.credential(key)
    return found


@dataclass
class RunContext(Judge):
    """Shared by the checks of one run."""

    base_url: str = ""  # the server's, with the spec's base path (`/v1`)
    api_key: str = ""
    session: requests.Session | None = None
    timeout: float = 10.0
    headers: dict[str, str] = field(default_factory=dict)  # sent with every request (`--header`)

    def credentials(self, op: Operation, key: str | None = None) -> Credentials:
        """The key (the caller's by default) as the operation's first usable alternative carries it."""
        usable = op.security.usable
        if not usable:
            return Credentials()
        return credentials(usable[0], key if key is not None else self.api_key)

    def auth_headers(self, op: Operation) -> dict[str, str]:
        """The headers every request of `op` carries: `--header`'s and the key."""
        return {**self.headers, **self.credentials(op).headers}
