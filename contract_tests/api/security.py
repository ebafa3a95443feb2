"""Security schemes and requirements: how a key is sent, and which alternatives an operation accepts.

An operation's `security` (or the document's) is a list of alternatives, each naming the schemes that
must all be satisfied together; `{}` among them makes credentials optional. The project sends and
checks one key (API_KEY) in whichever scheme an alternative names:

- `http` `bearer` (and `oauth2`/`openIdConnect`, whose tokens travel the same way):
  `Authorization: Bearer <key>`;
- `http` `basic`: `Authorization: Basic base64(<key>)` when the key holds a `user:password` pair, else
  `base64(<key>:)`, the key as the user name with no password (as Stripe's API takes its keys);
- `apiKey` in a header, a query parameter or a cookie: the key as it is.

Other schemes (`mutualTLS`, other `http` schemes) cannot carry a key: an alternative naming one is not
tried.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from typing import Any

BEARER, BASIC, API_KEY = "bearer", "basic", "apiKey"


@dataclass(frozen=True)
class Scheme:
    """One security scheme of `components.securitySchemes`, as far as a key goes."""

    name: str  # its key in components.securitySchemes
    kind: str  # BEARER, BASIC, API_KEY, or another word for one that cannot carry a key
    location: str  # "header", "query" or "cookie"
    parameter: str  # the header, query parameter or cookie that carries it ("Authorization")

    @property
    def usable(self) -> bool:
        return self.kind in (BEARER, BASIC, API_KEY)

    @property
    def label(self) -> str:
        where = {"header": "header", "query": "query parameter", "cookie": "cookie"}[self.location]
        word = {BEARER: "Bearer ", BASIC: "Basic "}.get(self.kind, "")
        return f"the {where} {self.parameter}" + (f" ({word.strip()})" if word else "")

    def credential(self, key: str) -> str:
        """What to send, in `parameter`, for `key`."""
        if self.kind == BEARER:
            return f"Bearer {key}"
        if self.kind == BASIC:
            pair = key if ":" in key else f"{key}:"
            return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
        return key

    def token(self, value: str | None) -> str | None:
        """The key a received value carries, or None when it carries none in this scheme's form (a bearer
        scheme's value without its `Bearer` word carries none)."""
        if value is None:
            return None
        if self.kind in (BEARER, BASIC):
            word, _, rest = value.strip().partition(" ")
            if word.lower() != self.kind or not rest.strip():
                return None
            if self.kind == BEARER:
                return rest.strip()
            try:
                pair = base64.b64decode(rest.strip(), validate=True).decode("utf-8")
            except ValueError:
                return None
            return pair[:-1] if pair.endswith(":") and pair.count(":") == 1 else pair
        return value

    def accepts(self, value: str | None, key: str) -> bool:
        """Whether `value` carries `key` in this scheme, compared in constant time (the response time does
        not tell how much of a guess was right)."""
        token = self.token(value)
        expected = key[:-1] if self.kind == BASIC and key.endswith(":") else key
        return token is not None and hmac.compare_digest(
            token.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
        )


@dataclass(frozen=True)
class Security:
    """An operation's security requirement: alternatives, each a tuple of schemes needed together."""

    alternatives: tuple[tuple[Scheme, ...], ...]

    @property
    def required(self) -> bool:
        """Whether every alternative asks for credentials (`{}` among them makes them optional)."""
        return bool(self.alternatives) and all(self.alternatives)

    @property
    def usable(self) -> tuple[tuple[Scheme, ...], ...]:
        """The alternatives a key can satisfy."""
        return tuple(alt for alt in self.alternatives if alt and all(scheme.usable for scheme in alt))

    @property
    def schemes(self) -> tuple[Scheme, ...]:
        """Every usable scheme named by some alternative, each once."""
        found: dict[str, Scheme] = {}
        for alternative in self.usable:
            for scheme in alternative:
                found.setdefault(scheme.name, scheme)
        return tuple(found.values())

    @property
    def testable(self) -> bool:
        """Whether the project can send the key: credentials are required and some alternative is usable."""
        return self.required and bool(self.usable)


def read_schemes(document: dict[str, Any]) -> dict[str, Scheme]:
    """Every security scheme of the document, by name."""
    found = {}
    for name, node in ((document.get("components") or {}).get("securitySchemes") or {}).items():
        if not isinstance(node, dict):
            continue
        kind, location, parameter = str(node.get("type", "")), "header", "Authorization"
        if kind == "http":
            scheme = str(node.get("scheme", "")).lower()
            kind = scheme if scheme in (BEARER, BASIC) else f"http {scheme}"
        elif kind in ("oauth2", "openIdConnect"):
            kind = BEARER
        elif kind == API_KEY:
            location, parameter = str(node.get("in", "header")), str(node.get("name", ""))
        found[str(name)] = Scheme(str(name), kind, location, parameter)
    return found


def read_security(
    document: dict[str, Any], operation: dict[str, Any], schemes: dict[str, Scheme]
) -> Security:
    """The operation's requirement (its own `security`, else the document's)."""
    requirements = operation.get("security", document.get("security", []))
    alternatives = []
    for requirement in requirements if isinstance(requirements, list) else []:
        if not isinstance(requirement, dict):
            continue
        named = tuple(
            schemes.get(str(name), Scheme(str(name), "unknown", "header", "")) for name in requirement
        )
        alternatives.append(named)
    return Security(tuple(alternatives))
