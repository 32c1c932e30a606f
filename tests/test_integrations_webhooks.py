"""Inbound helpdesk webhooks through the real app: signatures, mapping, idempotency, errors."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from autotriage.app import create_app
from autotriage.config import Settings
from autotriage.integrations.signatures import sign_hex, sign_zendesk
from autotriage.runtime import Runtime

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "integrations"
SECRETS = {"zendesk": "zd-secret", "freshdesk": "fd-secret", "jsm": "jsm-secret",
           "acme": "acme-secret"}
ACME = {"id": "case.number", "subject": "case.title", "body": "case.text",
        "sender": "case.customer.email"}


@pytest.fixture
def hooks(runtime: Runtime) -> Iterator[TestClient]:
    secrets_file = runtime.settings.data_dir / "webhook-secrets.json"
    secrets_file.write_text(json.dumps({"jsm": SECRETS["jsm"]}))  # the file-based way
    runtime.settings = Settings(**{  # type: ignore[call-arg]
        **runtime.settings.model_dump(),
        "webhook_secrets": {k: v for k, v in SECRETS.items() if k != "jsm"},
        "webhook_mappings": {"acme": ACME},
        "webhook_secrets_file": secrets_file,
    }, _env_file=None)
    with TestClient(create_app(runtime.settings, runtime=runtime, background=False)) as client:
        yield client


def _example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def _signed(source: str, body: bytes, secret: str | None = None) -> dict[str, str]:
    secret = secret or SECRETS[source]
    if source == "zendesk":
        stamp = str(int(time.time()))
        return {"X-Zendesk-Webhook-Signature": sign_zendesk(secret, stamp, body),
                "X-Zendesk-Webhook-Signature-Timestamp": stamp,
                "content-type": "application/json"}
    if source == "jsm":
        return {"X-Hub-Signature": sign_hex(secret, body), "content-type": "application/json"}
    return {"X-Autotriage-Signature": sign_hex(secret, body), "content-type": "application/json"}


@pytest.mark.parametrize(("source", "example", "external_id", "subject", "sender", "snippet"), [
    ("zendesk", "zendesk_ticket_created.json", "zendesk:35436", "Charged twice for my order",
     None, "charged twice for order 4411"),
    ("zendesk", "zendesk_trigger.json", "zendesk:35437", "Cannot log in after password reset",
     "jonas.weber@example.de", "account is locked"),
    ("freshdesk", "freshdesk_ticket_created.json", "freshdesk:1289", "Parcel not delivered",
     "lena.fischer@example.com", "my parcel DE-77231 was marked"),
    ("jsm", "jsm_issue_created.json", "jsm:SUP-118", "VPN drops every 10 minutes",
     "sam.patel@example.org", "disconnects roughly every ten minutes"),
    ("acme", "generic_acme.json", "acme:C-2026-00917", "Invoice shows the wrong VAT rate",
     "accounts@example.at", "reverse-charge customer"),
])
def test_each_helpdesk_payload_becomes_a_classified_ticket(
    hooks: TestClient, drain: Callable[[], int], source: str, example: str, external_id: str,
    subject: str, sender: str | None, snippet: str,
) -> None:
    body = _example(example)
    response = hooks.post(f"/api/v1/webhooks/{source}", content=body,
                          headers=_signed(source, body))
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["duplicate"] is False
    drain()
    ticket = hooks.get(f"/api/v1/tickets/{accepted['id']}").json()
    assert ticket["external_id"] == external_id
    assert ticket["subject"] == subject
    assert ticket["sender"] == sender
    assert snippet in ticket["body"]
    assert "<" not in ticket["body"]  # Freshdesk HTML became text
    assert ticket["channel"] == source
    assert ticket["status"] != "received" and ticket["decision"] is not None

    again = hooks.post(f"/api/v1/webhooks/{source}", content=body, headers=_signed(source, body))
    assert again.status_code == 202
    assert again.json() == {**accepted, "duplicate": True, "status": ticket["status"]}


def test_bad_missing_or_foreign_signatures_are_refused(hooks: TestClient) -> None:
    body = _example("freshdesk_ticket_created.json")
    missing = hooks.post("/api/v1/webhooks/freshdesk", content=body)
    assert missing.status_code == 401
    assert "X-Autotriage-Signature" in missing.json()["detail"]
    wrong = hooks.post("/api/v1/webhooks/freshdesk", content=body,
                       headers=_signed("freshdesk", body, secret="not-the-secret"))
    assert wrong.status_code == 401 and wrong.json()["code"] == "bad_signature"
    tampered = hooks.post("/api/v1/webhooks/freshdesk", content=body.replace(b"1289", b"1290"),
                          headers=_signed("freshdesk", body))
    assert tampered.status_code == 401

    zd = _example("zendesk_ticket_created.json")
    headers = _signed("zendesk", zd)
    headers["X-Zendesk-Webhook-Signature-Timestamp"] = "1"  # signature was made for another
    assert hooks.post("/api/v1/webhooks/zendesk", content=zd, headers=headers).status_code == 401
    assert hooks.get("/api/v1/tickets").json()["items"] == []  # nothing stored


def test_unconfigured_source_invalid_json_and_missing_fields(hooks: TestClient) -> None:
    body = b'{"id": 1}'
    unknown = hooks.post("/api/v1/webhooks/servicenow", content=body,
                         headers=_signed("acme", body))
    assert unknown.status_code == 404
    assert "AUTOTRIAGE_WEBHOOK_SECRETS" in unknown.json()["detail"]

    not_json = b"ticket_id=5"
    bad = hooks.post("/api/v1/webhooks/freshdesk", content=not_json,
                     headers=_signed("freshdesk", not_json))
    assert bad.status_code == 422 and "not valid JSON" in bad.json()["detail"]

    lacking = json.dumps({"freshdesk_webhook": {"ticket_id": 7, "ticket_subject": "Hi"}}).encode()
    response = hooks.post("/api/v1/webhooks/freshdesk", content=lacking,
                          headers=_signed("freshdesk", lacking))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "lacks body" in detail and "freshdesk_webhook.ticket_description" in detail

    no_id = json.dumps({"case": {"text": "hello there"}}).encode()
    response = hooks.post("/api/v1/webhooks/acme", content=no_id, headers=_signed("acme", no_id))
    assert response.status_code == 422 and "case.number" in response.json()["detail"]
    assert hooks.get("/api/v1/tickets").json()["items"] == []


def test_jira_cloud_adf_description_is_flattened(hooks: TestClient) -> None:
    payload = json.loads(_example("jsm_issue_created.json"))
    payload["issue"]["key"] = "SUP-119"
    payload["issue"]["fields"]["description"] = {
        "type": "doc", "version": 1, "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "Printer on floor 3"},
                                              {"type": "hardBreak"},
                                              {"type": "text", "text": "shows error E-502."}]},
            {"type": "paragraph", "content": [{"type": "text", "text": "Urgent please."}]},
        ]}
    body = json.dumps(payload).encode()
    response = hooks.post("/api/v1/webhooks/jsm", content=body, headers=_signed("jsm", body))
    assert response.status_code == 202, response.text
    ticket = hooks.get(f"/api/v1/tickets/{response.json()['id']}").json()
    assert ticket["body"] == "Printer on floor 3\nshows error E-502.\nUrgent please."


def test_settings_read_webhook_secrets_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AUTOTRIAGE_WEBHOOK_SECRETS", '{"zendesk": "from-env"}')
    monkeypatch.setenv("AUTOTRIAGE_OUTBOUND_WEBHOOK_URLS", '["http://127.0.0.1:9/hook"]')
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert settings.webhook_secrets["zendesk"].get_secret_value() == "from-env"
    assert "from-env" not in repr(settings)
    assert settings.outbound_webhook_urls == ("http://127.0.0.1:9/hook",)
