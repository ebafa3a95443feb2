"""A request schema that requires a property it also forbids (not among its `properties`, and
`additionalProperties: false`), as OpenAI's published spec of April 2024 had for its run creates: every
client breaks it, and the finding says that no body can keep it, so that the spec gets the fix."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import yaml

from contract_tests.api.document import SPEC_PATH, load_spec, node_at
from contract_tests.api.model import load_api
from contract_tests.api.needs import check_needs
from contract_tests.masking import Masker
from contract_tests.rules.exchange import Sent
from contract_tests.rules.report import TrafficReport
from contract_tests.rules.traffic import TrafficJudge
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from tests import spec_facts as facts

KEY = "sk-test-unkeepable-1b2c"


def test_a_required_property_the_schema_forbids_is_no_clients_finding(tmp_path: Path) -> None:
    seed = facts.seed()
    pointer = seed.request_schema_pointer
    assert pointer is not None
    document = load_spec(SPEC_PATH)
    schema = node_at(document, pointer)
    assert schema.get("additionalProperties") is False, "the seed's request schema is open"
    schema["required"] = [*schema.get("required", []), "x_contract_path_id"]
    spec = tmp_path / "unkeepable.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    # The mock answers what the rest of the schema keeps, so that a client's own tests can go on.
    app = create_app(api_key=KEY, spec_path=spec)
    with serve_in_thread(app) as base_url:
        kept = max(seed.examples.values(), key=len)
        answered = httpx.post(
            f"{base_url}{load_api(spec).base_path}{seed.path}",
            json=kept,
            headers={"Authorization": f"Bearer {KEY}", **seed.required_headers()},
        )
        unknown = httpx.post(
            f"{base_url}{load_api(spec).base_path}{seed.path}",
            json={**kept, "x_contract_unknown": 1},
            headers={"Authorization": f"Bearer {KEY}", **seed.required_headers()},
        )
    assert 200 <= answered.status_code < 300, answered.text
    assert 400 <= unknown.status_code < 500, "other faults are still refused"
    # The suite builds bodies of it: it cannot, and says why (the whole spec is refused where no other
    # operation is left, as in a spec of this one operation).
    why = load_api(spec).untestable.get(seed.operation_id, "")
    assert "no value is valid" in why, why
    api = check_needs(spec, sends=False)  # the mock and the proxy only judge what clients send
    judge = TrafficJudge(api, KEY, Masker(KEY), TrafficReport(Masker(KEY), "mock"), tmp_path)
    body = max(seed.examples.values(), key=len)
    headers = [("Authorization", f"Bearer {KEY}"), ("Content-Type", "application/json")]
    headers += list(seed.required_headers().items())
    sent = Sent(
        seed.method, f"http://127.0.0.1{api.base_path}{seed.path}", headers, json.dumps(body).encode()
    )
    # No client can keep it: the spec's flaw, said at its pointer, never the client's finding.
    assert judge.request(sent).violations == []
    assert any("/required/" in why and "no value is valid" in why for why in api.untestable.values())
    broken = {**body, "x_contract_unknown": 1}
    sent = Sent(seed.method, sent.url, headers, json.dumps(broken).encode())
    assert [found.rule for found in judge.request(sent).violations] == ["body_valid"], (
        "other faults still are"
    )
