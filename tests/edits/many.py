"""A spec of many operations, for what only shows at that size (shards, the suite's time per operation):
the spec grown into a resource (tests/edits/resource.py) under several names, beside every media type of
tests/fixtures/media.yaml (an upload and its download, a stream, a form, text). With nine copies of the
five-operation resource and the fixture's eleven operations: 56 operations, OpenAPI 3.1."""

from __future__ import annotations

import copy
from typing import Any

from contract_tests.api.document import REPO_ROOT
from contract_tests.api.model import load_api

MEDIA = REPO_ROOT / "tests" / "fixtures" / "media.yaml"
COPIES = 9


def many_operations(resource: dict[str, Any], copies: int = COPIES) -> dict[str, Any]:
    """A new document: `resource` (a spec grown into a resource, with links) with its paths under
    `/v1/copyN/` and its operationIds (and the links naming them) suffixed N, for N below `copies`, and
    the media fixture's paths under `/v1` with their schemas and parameters."""
    document = copy.deepcopy(resource)
    media = load_api(MEDIA).document
    paths: dict[str, Any] = {}
    for number in range(copies):
        for path, item in resource["paths"].items():
            copied = copy.deepcopy(item)
            for op in copied.values():
                if isinstance(op, dict) and "operationId" in op:
                    op["operationId"] = f"{op['operationId']}{number}"
                    for link in (op.get("responses") or {}).values():
                        for target in (link.get("links") or {}).values() if isinstance(link, dict) else ():
                            target["operationId"] = f"{target['operationId']}{number}"
            paths[path.replace("/v1/", f"/v1/copy{number}/", 1)] = copied
    for path, item in media["paths"].items():
        paths["/v1" + path] = copy.deepcopy(item)
    document["paths"] = paths
    document["components"]["schemas"].update(copy.deepcopy(media["components"]["schemas"]))
    document["components"].setdefault("parameters", {}).update(
        copy.deepcopy(media["components"]["parameters"])
    )
    return document
