"""The review workflow through the real ASGI app and a real SQLite file: queue orders, leases,
verdicts, 409s, undo, bulk, label sets, provenance and the audit trail."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from autotriage.app import create_app
from autotriage.config import Settings
from autotriage.runtime import Runtime
from autotriage.storage.tables import AuditEvent, Label, ReviewVerdict, Ticket, utcnow
from tests.review_helpers import as_user, drain_with, other_label, review_settings, submit, verdict


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return review_settings(tmp_path / "data", review_lease_seconds=30, review_bulk_limit=5,
                           review_double_share=0.0)

@pytest.fixture
def drain(runtime: Runtime) -> Callable[[], int]:
    """Every ticket goes to review, whatever the live policy would decide."""
    return drain_with(runtime, auto=False)



def test_queue_orders(client: TestClient, drain: Callable[[], int]) -> None:
    ids = submit(client, drain, 12)
    oldest = client.get("/api/v1/review/queue", params={"order": "oldest"}).json()
    assert oldest["total"] == 12
    assert [i["ticket"]["id"] for i in oldest["items"]] == ids
    informative = client.get("/api/v1/review/queue", params={"order": "informative"}).json()
    scores = [i["uncertainty"] for i in informative["items"]]
    assert sorted(i["ticket"]["id"] for i in informative["items"]) == ids
    assert scores[0] == max(scores)
    by_priority = client.get("/api/v1/review/queue", params={"order": "priority"}).json()
    ranking = ("critical", "urgent", "high", "medium", "normal", "low")
    ranks = [ranking.index(i["ticket"]["predictions"]["priority"]["label"])
             for i in by_priority["items"]]
    assert ranks == sorted(ranks)
    assert client.get("/api/v1/review/queue", params={"order": "newest"}).status_code == 422


def test_informative_order_pushes_near_duplicates_down(
    client: TestClient, drain: Callable[[], int]
) -> None:
    distinct = submit(client, drain, 8, seed=5)
    copy = {"subject": "Printer broken again", "body": "The printer on floor two is broken."}
    dupes = client.post("/api/v1/tickets/batch", json={"tickets": [copy] * 6}).json()["ids"]
    drain()
    items = client.get("/api/v1/review/queue", params={"limit": 9}).json()["items"]
    top = [i["ticket"]["id"] for i in items]
    # However uncertain the copies are, only one of them is placed among the distinct tickets.
    assert len(set(top) & set(dupes)) == 1
    assert set(distinct) <= set(top)


def test_claim_leases_and_lease_expiry(
    client: TestClient, runtime: Runtime, drain: Callable[[], int]
) -> None:
    ids = submit(client, drain, 4)
    first = client.post("/api/v1/review/claim", json={"count": 2, "order": "oldest"},
                        headers=as_user("ann")).json()
    assert first["claimed"] == ids[:2]
    queue_for_bob = client.get("/api/v1/review/queue", headers=as_user("bob")).json()
    assert queue_for_bob["total"] == 2
    taken = client.post("/api/v1/review/claim", json={"ticket_ids": ids[:3]},
                        headers=as_user("bob")).json()
    assert taken["claimed"] == [ids[2]] and taken["unavailable"] == ids[:2]
    refused = verdict(client, ids[0], "bob")
    assert refused.status_code == 409 and "claimed by ann" in refused.json()["detail"]
    # Expire ann's leases (as time passing would); the tickets are back in everyone's queue.
    with runtime.sessions() as session:
        session.execute(update(Ticket).where(Ticket.id.in_(ids[:2]))
                        .values(review_lease_until=utcnow() - timedelta(seconds=1)))
        session.commit()
    again = client.post("/api/v1/review/claim", json={"ticket_ids": ids[:2]},
                        headers=as_user("bob")).json()
    assert again["claimed"] == ids[:2]
    assert client.post("/api/v1/review/release", json={"ticket_ids": ids[:2]},
                       headers=as_user("ann")).json()["released"] == []
    assert client.post("/api/v1/review/release", json={"ticket_ids": ids[:2]},
                       headers=as_user("bob")).json()["released"] == ids[:2]


def test_a_short_lease_runs_out(
    client: TestClient, runtime: Runtime, drain: Callable[[], int]
) -> None:
    [tid] = submit(client, drain, 1)
    # A second process on the same database whose leases last 1 s.
    short = runtime.settings.model_copy(update={"review_lease_seconds": 1.0})
    other = Runtime(short)
    try:
        with TestClient(create_app(short, runtime=other, background=False)) as fast:
            # Bob's first request creates his credentials; done before the lease starts so that
            # a slow machine cannot let the lease run out between the two claims below.
            assert fast.get("/api/v1/review/queue", headers=as_user("bob")).status_code == 200
            claim = {"count": 1}
            assert fast.post("/api/v1/review/claim", json=claim,
                             headers=as_user("ann")).json()["claimed"] == [tid]
            assert fast.post("/api/v1/review/claim", json=claim,
                             headers=as_user("bob")).json()["claimed"] == []
            time.sleep(1.1)
            assert fast.post("/api/v1/review/claim", json=claim,
                             headers=as_user("bob")).json()["claimed"] == [tid]
    finally:
        other.close()


def test_concurrent_reviewers_never_share_a_ticket(
    client: TestClient, drain: Callable[[], int]
) -> None:
    ids = submit(client, drain, 20)
    results: dict[str, list[int]] = {}
    start = threading.Barrier(8)

    def reviewer(name: str) -> None:
        start.wait()
        got: list[int] = []
        for _ in range(3):
            response = client.post("/api/v1/review/claim", json={"count": 2},
                                   headers=as_user(name))
            assert response.status_code == 200, response.text
            got += response.json()["claimed"]
        results[name] = got

    threads = [threading.Thread(target=reviewer, args=(f"r{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [tid for got in results.values() for tid in got]
    assert len(claimed) == len(set(claimed)) == 20
    assert set(claimed) == set(ids)


def test_verdicts_write_labels_with_provenance_and_audit(
    client: TestClient, runtime: Runtime, drain: Callable[[], int]
) -> None:
    ids = submit(client, drain, 4)
    ticket = client.get(f"/api/v1/tickets/{ids[0]}").json()
    suggested = {f: p["label"] for f, p in ticket["predictions"].items()}
    accepted = verdict(client, ids[0], "ann")
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["labels"] == suggested and accepted.json()["to_status"] == "reviewed"

    new_queue = other_label(client, "queue", suggested["queue"])
    corrected = verdict(client, ids[1], "bob", "correct", labels={"queue": new_queue})
    assert corrected.status_code == 201
    labels = {lb["field"]: lb for lb in client.get(f"/api/v1/tickets/{ids[1]}").json()["labels"]}
    assert labels["queue"]["value"] == new_queue
    assert {lb["source"] for lb in labels.values()} == {"review"}
    assert {lb["actor"] for lb in labels.values()} == {"bob"}

    assert verdict(client, ids[2], "ann", "spam").json()["to_status"] == "rejected"
    assert verdict(client, ids[3], "ann", "escalate").json()["to_status"] == "escalated"
    escalated = client.get("/api/v1/review/queue", params={"status": "escalated"}).json()
    assert [i["ticket"]["id"] for i in escalated["items"]] == [ids[3]]
    assert verdict(client, ids[3], "ann", "escalate").status_code == 409
    assert verdict(client, ids[3], "cat").status_code == 201  # escalations are reviewable

    with runtime.sessions() as session:
        rows = session.scalars(select(Label).where(Label.ticket_id == ids[1])).all()
        assert all(r.verdict_id and r.created_at for r in rows)
        events = session.scalars(select(AuditEvent).where(AuditEvent.ticket_id == ids[1])).all()
    assert [e.action for e in events] == ["review.verdict"]
    assert events[0].actor == "bob" and events[0].details["labels"]["queue"] == new_queue
    trail = client.get("/api/v1/review/audit", params={"ticket_id": ids[3]}).json()["items"]
    assert [e["action"] for e in trail] == ["review.verdict", "review.verdict"]


def test_second_verdict_is_409_and_bad_verdicts_are_422(
    client: TestClient, runtime: Runtime, drain: Callable[[], int]
) -> None:
    [tid] = submit(client, drain, 1)
    cases = [
        ({"action": "correct", "labels": {"queue": "no_such_queue"}}, "not a label of field"),
        ({"action": "correct", "labels": {"colour": "red"}}, "unknown field 'colour'"),
        ({"action": "correct"}, "needs `labels`"),
        ({"action": "accept", "labels": {"queue": "billing"}}, "takes no `labels`"),
        ({"action": "approve"}, "action"),
    ]
    for body, message in cases:
        response = client.post(f"/api/v1/review/tickets/{tid}/verdict", json=body)
        assert response.status_code == 422, body
        assert message in response.json()["detail"], (body, response.json())
    allowed = client.get("/api/v1/review/label-sets").json()["queue"]
    bad = client.post(f"/api/v1/review/tickets/{tid}/verdict",
                      json={"action": "correct", "labels": {"queue": "nope"}}).json()
    assert str(allowed) in bad["detail"]
    assert verdict(client, 999_999, "ann").status_code == 404
    assert verdict(client, tid, "ann").status_code == 201
    second = verdict(client, tid, "bob")
    assert second.status_code == 409 and "already has a verdict" in second.json()["detail"]
    with runtime.sessions() as session:
        assert len(session.scalars(select(ReviewVerdict)).all()) == 1
        assert len(session.scalars(select(Label)).all()) == 3


def test_concurrent_verdicts_on_one_ticket_only_one_wins(
    client: TestClient, drain: Callable[[], int]
) -> None:
    [tid] = submit(client, drain, 1)
    codes: list[int] = []
    start = threading.Barrier(6)

    def go(name: str) -> None:
        start.wait()
        codes.append(verdict(client, tid, name).status_code)

    threads = [threading.Thread(target=go, args=(f"r{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201] + [409] * 5


def test_undo_within_the_window(
    client: TestClient, runtime: Runtime, drain: Callable[[], int]
) -> None:
    ids = submit(client, drain, 2)
    assert client.post("/api/v1/review/undo", headers=as_user("ann")).status_code == 404
    assert verdict(client, ids[0], "ann").status_code == 201
    assert client.post("/api/v1/review/undo", headers=as_user("bob")).status_code == 404
    undone = client.post("/api/v1/review/undo", headers=as_user("ann"))
    assert undone.status_code == 200 and undone.json()["verdicts"][0]["undone_at"]
    ticket = client.get(f"/api/v1/tickets/{ids[0]}").json()
    assert ticket["status"] == "in_review" and ticket["labels"] == []
    with runtime.sessions() as session:  # the audit trail keeps the undone labels
        rows = session.scalars(select(Label).where(Label.ticket_id == ids[0])).all()
        assert len(rows) == 3 and all(r.invalidated_at is not None for r in rows)
    actions = [e["action"] for e in
               client.get("/api/v1/review/audit", params={"ticket_id": ids[0]}).json()["items"]]
    assert actions == ["review.undo", "review.verdict"]
    # A verdict older than the window cannot be undone.
    assert verdict(client, ids[1], "ann").status_code == 201
    with runtime.sessions() as session:
        window = runtime.settings.review_undo_window_seconds
        session.execute(update(ReviewVerdict).where(ReviewVerdict.ticket_id == ids[1])
                        .values(created_at=utcnow() - timedelta(seconds=window + 1)))
        session.commit()
    late = client.post("/api/v1/review/undo", headers=as_user("ann"))
    assert late.status_code == 409 and "can be undone for 300 s" in late.json()["detail"]
    assert client.get(f"/api/v1/tickets/{ids[1]}").json()["status"] == "reviewed"


def test_bulk_is_all_or_nothing_and_undone_as_one(
    client: TestClient, runtime: Runtime, drain: Callable[[], int]
) -> None:
    ids = submit(client, drain, 7)
    too_many = client.post("/api/v1/review/bulk", json={"ticket_ids": ids[:6], "action": "spam"})
    assert too_many.status_code == 413 and "REVIEW_BULK_LIMIT" in too_many.json()["detail"]
    assert verdict(client, ids[0], "bob").status_code == 201
    mixed = client.post("/api/v1/review/bulk", json={"ticket_ids": ids[:4], "action": "spam"},
                        headers=as_user("ann"))
    assert mixed.status_code == 409 and f"ticket {ids[0]}" in mixed.json()["detail"]
    assert {client.get(f"/api/v1/tickets/{t}").json()["status"] for t in ids[1:4]} == {
        "in_review"}
    queue = other_label(client, "queue", "")
    bulk = client.post("/api/v1/review/bulk", headers=as_user("ann"),
                       json={"ticket_ids": ids[1:6], "action": "correct",
                             "labels": {"queue": queue}})
    assert bulk.status_code == 201 and len(bulk.json()["verdicts"]) == 5
    for tid in ids[1:6]:
        ticket = client.get(f"/api/v1/tickets/{tid}").json()
        assert ticket["status"] == "reviewed"
        assert {lb["value"] for lb in ticket["labels"] if lb["field"] == "queue"} == {queue}
    undone = client.post("/api/v1/review/undo", headers=as_user("ann")).json()["verdicts"]
    assert sorted(v["ticket_id"] for v in undone) == ids[1:6]
    assert {client.get(f"/api/v1/tickets/{t}").json()["status"] for t in ids[1:6]} == {
        "in_review"}
    repeated = client.post("/api/v1/review/bulk", json={"ticket_ids": [ids[6], ids[6]],
                                                        "action": "spam"})
    assert repeated.status_code == 422


def test_openapi_documents_the_review_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/review/queue", "/api/v1/review/claim",
                 "/api/v1/review/tickets/{ticket_id}/verdict", "/api/v1/review/bulk",
                 "/api/v1/review/undo", "/api/v1/review/outcomes", "/api/v1/review/agreement",
                 "/api/v1/review/label-issues", "/api/v1/tickets/{ticket_id}/feedback",
                 "/api/v1/tickets/{ticket_id}/resolution"):
        assert path in spec["paths"], path
    verdict_op = spec["paths"]["/api/v1/review/tickets/{ticket_id}/verdict"]["post"]
    assert verdict_op["description"] and "201" in verdict_op["responses"]
