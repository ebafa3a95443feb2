"""The reference server: an ASGI app that implements spec/openapi.yaml, validating requests against it."""

from contract_tests.server.app import DEFAULT_API_KEY, create_app

__all__ = ["DEFAULT_API_KEY", "create_app"]
