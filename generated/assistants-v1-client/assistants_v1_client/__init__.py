"""A client library for accessing Assistants API (v1) - create assistant"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
