"""Turning a validated create-assistant request into the assistant the server returns."""

from __future__ import annotations

import secrets
import time
from typing import Any

# Sampling settings the v1 create request does not take: an assistant gets the API's defaults.
SERVER_DEFAULTS: dict[str, Any] = {"top_p": 1.0, "temperature": 1.0, "response_format": "auto"}


def new_assistant(request: dict[str, Any], request_defaults: dict[str, Any]) -> dict[str, Any]:
    """The created assistant: what the request said, the spec's defaults for what it left out."""
    fields = {**request_defaults, **request}
    return {
        "id": f"asst_{secrets.token_hex(12)}",
        "object": "assistant",
        "created_at": int(time.time()),
        "name": fields["name"],
        "description": fields.get("description"),
        "model": fields["model"],
        "instructions": fields["instructions"],
        "tools": fields["tools"],
        "file_ids": fields.get("file_ids", []),
        "metadata": fields.get("metadata", {}),
        **SERVER_DEFAULTS,
    }
