"""Web UI pages through the real ASGI app (no browser): filters, pagination, detail, roles,
bad input, and similar past tickets by TF-IDF cosine."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from autotriage.domain.similar_tickets import similar_tickets
from autotriage.runtime import Runtime
from autotriage.storage import repository
from autotriage.storage.tables import Role
from autotriage.ui.pages import tickets as tickets_page
from tests.security_helpers import bearer, make_key

BILLING = {"subject": "Invoice charged twice", "body": "My invoice was charged twice this month"}
PARCEL = {"subject": "Parcel is late", "body": "My parcel has not arrived, where is it?"}


def _submit(client: TestClient, ticket: dict[str, str], n: int = 1) -> list[int]:
    return [client.post("/api/v1/tickets", json=ticket).json()["id"] for _ in range(n)]


def test_ticket_list_filters_searches_and_pages(client: TestClient, drain: Callable[[], int],
                                                monkeypatch: object) -> None:
    billing = _submit(client, BILLING, 3)
    parcel = _submit(client, PARCEL, 2)
    drain()
    page = client.get("/tickets", params={"q": "parcel"})
    assert page.status_code == 200
    assert all(f'href="/tickets/{i}"' in page.text for i in parcel)
    assert not any(f'href="/tickets/{i}"' in page.text for i in billing)
    assert client.get("/tickets", params={"status": "received"}).text.count('href="/tickets/') == 0
    # keyset pagination: two per page, the next link carries the filter on
    monkeypatch.setattr(tickets_page, "PAGE", 2)  # type: ignore[attr-defined]
    first = client.get("/tickets", params={"q": "invoice"})
    assert 'rel="next"' in first.text and "q=invoice" in first.text
    second = client.get("/tickets", params={"q": "invoice", "before": billing[1]})
    assert f'href="/tickets/{billing[0]}"' in second.text and 'rel="next"' not in second.text


def test_ticket_list_refuses_unknown_filters(client: TestClient) -> None:
    response = client.get("/tickets", params={"status": "lost"})
    assert response.status_code == 422 and "unknown status 'lost'" in response.json()["detail"]
    assert client.get("/tickets", params={"decision": "maybe"}).status_code == 422
    assert client.get("/tickets/999999").status_code == 404


def test_ticket_detail_shows_predictions_labels_and_audit(client: TestClient,
                                                          drain: Callable[[], int]) -> None:
    [ticket_id] = _submit(client, BILLING)
    drain()
    ticket = client.get(f"/api/v1/tickets/{ticket_id}").json()
    queue = ticket["predictions"]["queue"]["label"]
    verdict = client.post(f"/api/v1/review/tickets/{ticket_id}/verdict",
                          json={"action": "accept"}, headers={"X-User": "rita"})
    assert verdict.status_code == 201, verdict.text
    page = client.get(f"/tickets/{ticket_id}").text
    assert ticket["model_version"] in page and queue in page
    assert "review" in page and "rita" in page  # the label's source and actor, the audit trail


def test_pages_need_their_role(client: TestClient, runtime: Runtime) -> None:
    submitter = bearer(make_key(runtime.sessions, "sam", role=Role.SUBMITTER))
    assert client.get("/submit", headers=submitter).status_code == 200
    for path in ("/", "/review", "/tickets", "/models", "/monitoring"):
        assert client.get(path, headers=submitter).status_code == 403, path
    reviewer = bearer(make_key(runtime.sessions, "rob", role=Role.REVIEWER))
    assert client.get("/review", headers=reviewer).status_code == 200
    assert client.get("/models", headers=reviewer).status_code == 403
    page = client.get("/")
    assert page.status_code == 200 and 'href="/models"' in page.text
    assert 'href="/models"' not in client.get("/", headers=reviewer).text


def test_similar_tickets_are_nearest_labelled_ones(client: TestClient, runtime: Runtime,
                                                  drain: Callable[[], int]) -> None:
    billing = _submit(client, BILLING, 2)
    [parcel] = _submit(client, PARCEL)
    drain()
    for ticket_id in (billing[0], parcel):
        client.post(f"/api/v1/review/tickets/{ticket_id}/verdict", json={"action": "accept"})
    with runtime.sessions() as session:
        ticket = repository.get_ticket(session, billing[1])
        assert ticket is not None
        found = similar_tickets(session, runtime.models.model, ticket)
    assert [s.ticket_id for s in found][:2] == [billing[0], parcel]
    assert found[0].similarity > found[1].similarity and "queue" in found[0].labels
    body = client.get(f"/review/similar/{billing[1]}").json()
    assert body["similar"][0]["ticket_id"] == billing[0]
    assert client.get("/review/similar/999999").status_code == 404
