"""The ticket API through the real ASGI app and a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from autotriage.runtime import Runtime
from autotriage.storage.tables import FieldPrediction, Prediction, Ticket

TICKET = {
    "subject": "Invoice charged twice",
    "body": "Hello, my card was charged twice for invoice INV-2231 this month. Please refund.",
}


def count(runtime: Runtime, table: type) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_submit_returns_202_and_status_url(client: TestClient, drain: Callable[[], int]) -> None:
    response = client.post("/api/v1/tickets", json={**TICKET, "sender": "a@example.com",
                                                    "channel": "email", "metadata": {"vip": True}})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "received" and body["duplicate"] is False
    assert body["status_url"].endswith(f"/api/v1/tickets/{body['id']}")
    assert drain() == 1
    ticket = client.get(body["status_url"]).json()
    assert ticket["status"] in ("auto_routed", "in_review", "escalated")
    assert ticket["decision"] in ("auto_route", "human_review", "escalate")
    assert ticket["metadata"] == {"vip": True}
    assert ticket["language"] == "en"
    assert set(ticket["predictions"]) == {"queue", "priority", "type"}
    queue = ticket["predictions"]["queue"]
    assert len(queue["top"]) == 3
    assert queue["top"][0]["label"] == queue["label"]
    confidences = [s["confidence"] for s in queue["top"]]
    assert confidences == sorted(confidences, reverse=True)
    assert ticket["model_version"] and ticket["latency_ms"] >= 0


def test_external_id_and_idempotency_key_return_the_same_ticket(
    client: TestClient, runtime: Runtime
) -> None:
    first = client.post("/api/v1/tickets", json={**TICKET, "external_id": "ZD-1"}).json()
    again = client.post("/api/v1/tickets", json={**TICKET, "external_id": "ZD-1"}).json()
    assert again["id"] == first["id"] and again["duplicate"] is True
    keyed = client.post("/api/v1/tickets", json=TICKET, headers={"Idempotency-Key": "k-1"}).json()
    replay = client.post("/api/v1/tickets", json=TICKET, headers={"Idempotency-Key": "k-1"}).json()
    assert replay["id"] == keyed["id"] and replay["duplicate"] is True
    assert count(runtime, Ticket) == 2
    assert runtime.queue.backlog() == 2  # duplicates are not queued again


def test_batch_accepts_and_classifies(
    client: TestClient, runtime: Runtime, drain: Callable[[], int]
) -> None:
    tickets = [{**TICKET, "external_id": f"B-{i}"} for i in range(50)]
    tickets.append({**TICKET, "external_id": "B-0"})  # repeated inside the batch
    response = client.post("/api/v1/tickets/batch", json={"tickets": tickets})
    assert response.status_code == 202
    body = response.json()
    assert len(body["ids"]) == 51 and body["ids"][0] == body["ids"][50]
    assert body["duplicates"] == 1
    assert drain() == 50
    assert count(runtime, Prediction) == 50
    assert count(runtime, FieldPrediction) == 150


def test_batch_over_limit_is_rejected_and_nothing_is_stored(
    client: TestClient, runtime: Runtime
) -> None:
    limit = runtime.settings.max_batch_size
    response = client.post("/api/v1/tickets/batch", json={"tickets": [TICKET] * (limit + 1)})
    assert response.status_code == 413
    assert "split it" in response.json()["detail"]
    assert count(runtime, Ticket) == 0


def test_one_bad_ticket_rejects_the_whole_batch(client: TestClient, runtime: Runtime) -> None:
    batch = [TICKET, TICKET, {"subject": "x", "body": "   "}]
    response = client.post("/api/v1/tickets/batch", json={"tickets": batch})
    assert response.status_code == 422
    assert "tickets[2]" in response.json()["detail"]
    assert count(runtime, Ticket) == 0


def test_bad_input_gets_clear_errors(client: TestClient, runtime: Runtime) -> None:
    cases = [
        ({"subject": "", "body": ""}, 422, "empty"),
        ({"subject": "  ", "body": " \n\t "}, 422, "empty"),
        ({"subject": "hi", "body": "   "}, 422, "body is empty"),
        ({"subject": "hi", "body": "x" * 20_001}, 413, "more than the limit of 20000"),
        ({"subject": "x" * 20_001, "body": "fine"}, 413, "subject has 20001 characters"),
        ({"subject": "hi", "body": 42}, 422, "body"),
        ({"subject": "hi"}, 422, "body: Field required"),
        ({**TICKET, "priority": "high"}, 422, "priority: unknown field"),
        ({**TICKET, "metadata": "not an object"}, 422, "metadata"),
    ]
    for payload, status, message in cases:
        response = client.post("/api/v1/tickets", json=payload)
        assert response.status_code == status, (payload, response.text)
        assert message in response.json()["detail"], (payload, response.json())
    invalid = client.post("/api/v1/tickets", content=b'{"subject": "a", "body": ',
                          headers={"Content-Type": "application/json"})
    assert invalid.status_code == 422
    assert "not valid JSON" in invalid.json()["detail"]
    assert count(runtime, Ticket) == 0


def test_get_unknown_ticket_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/tickets/999999")
    assert response.status_code == 404
    assert "999999" in response.json()["detail"]


def test_list_filters_and_paginates(client: TestClient, drain: Callable[[], int]) -> None:
    texts = [
        ("Refund please", "I returned the shoes last week and still have no refund."),
        ("Cannot log in", "My password reset link does not work, I am locked out."),
        ("Printer broken", "The office printer shows error E-301 and prints nothing."),
    ]
    for i in range(9):
        subject, body = texts[i % 3]
        client.post("/api/v1/tickets", json={"subject": subject, "body": body})
    drain()
    page1 = client.get("/api/v1/tickets", params={"limit": 4}).json()
    assert len(page1["items"]) == 4 and page1["next_cursor"]
    ids = [t["id"] for t in page1["items"]]
    assert ids == sorted(ids, reverse=True)
    page2 = client.get("/api/v1/tickets", params={"limit": 4, "cursor": page1["next_cursor"]})
    cursor2 = page2.json()["next_cursor"]
    page3 = client.get("/api/v1/tickets", params={"limit": 4, "cursor": cursor2})
    seen = ids + [t["id"] for page in (page2, page3) for t in page.json()["items"]]
    assert len(seen) == 9 == len(set(seen))
    assert page3.json()["next_cursor"] is None

    printer = client.get("/api/v1/tickets", params={"q": "PRINTER"}).json()["items"]
    assert len(printer) == 3 and all("rinter" in t["subject"] for t in printer)
    some = page1["items"][0]
    label = some["predictions"]["queue"]["label"]
    by_queue = client.get("/api/v1/tickets", params={"predicted": f"queue:{label}"}).json()
    assert by_queue["items"] and all(
        t["predictions"]["queue"]["label"] == label for t in by_queue["items"]
    )
    by_status = client.get("/api/v1/tickets", params={"status": some["status"]}).json()["items"]
    assert all(t["status"] == some["status"] for t in by_status)
    by_decision = client.get("/api/v1/tickets", params={"decision": some["decision"]}).json()
    assert all(t["decision"] == some["decision"] for t in by_decision["items"])
    future = client.get("/api/v1/tickets", params={"created_from": "2999-01-01T00:00:00Z"})
    assert future.json()["items"] == []
    past = client.get("/api/v1/tickets", params={"created_to": "2999-01-01T00:00:00Z"})
    assert len(past.json()["items"]) == 9


def test_list_rejects_bad_parameters(client: TestClient) -> None:
    assert client.get("/api/v1/tickets", params={"limit": 201}).status_code == 422
    assert "maximum page size" in client.get("/api/v1/tickets?limit=500").json()["detail"]
    assert client.get("/api/v1/tickets", params={"status": "lost"}).status_code == 422
    assert client.get("/api/v1/tickets", params={"predicted": "queue"}).status_code == 422
    assert client.get("/api/v1/tickets", params={"cursor": "abc"}).status_code == 422


def test_classify_is_synchronous_and_stores_nothing(client: TestClient, runtime: Runtime) -> None:
    response = client.post("/api/v1/classify", json=TICKET)
    assert response.status_code == 200
    body = response.json()
    assert body["decision"] in ("auto_route", "human_review", "escalate")
    assert set(body["predictions"]) == {"queue", "priority", "type"}
    assert body["model_version"] == runtime.models.model.version
    assert count(runtime, Ticket) == 0
    assert client.post("/api/v1/classify", json={"subject": "", "body": " "}).status_code == 422


def test_health_and_ready(client: TestClient, runtime: Runtime) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "model": runtime.models.model.version,
                                      "queue": "ok (backlog 0)"}


def test_openapi_lists_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/tickets", "/api/v1/tickets/batch", "/api/v1/tickets/{ticket_id}",
                 "/api/v1/classify", "/health", "/ready"):
        assert path in paths
    docs = client.get("/docs")
    assert docs.status_code == 200
    # Swagger UI comes from the app itself (the packaged bundle), never from a CDN.
    assert "http" not in docs.text
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/docs-init.js").status_code == 200


def test_web_root_renders(client: TestClient, drain: Callable[[], int]) -> None:
    client.post("/api/v1/tickets", json=TICKET)
    drain()
    page = client.get("/")
    assert page.status_code == 200
    assert "Invoice charged twice" in page.text
    assert client.get("/static/app.js").status_code == 200
