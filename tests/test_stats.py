"""GET /api/v1/stats from real tickets, decisions and labels; the same SQL on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from autotriage.domain import intake
from autotriage.runtime import Runtime
from autotriage.storage import migrate, repository, stats_repository
from autotriage.storage.db import make_engine, make_session_factory
from autotriage.storage.repository import ClassifiedTicket, FieldOutcome
from autotriage.worker.loop import Worker


def test_stats_from_classified_and_labelled_tickets(runtime: Runtime, client: TestClient) -> None:
    ids = client.post("/api/v1/tickets/batch", json={"tickets": [
        {"subject": "Refund", "body": "I want my money back for order 12, this is terrible!"},
        {"subject": "Password", "body": "I cannot log in to my account since yesterday."},
        {"subject": "Lawyer", "body": "My lawyer will contact you about the invoice."},
    ]}).json()["ids"]
    worker = Worker(runtime.sessions, runtime.queue, runtime.models, runtime.policy,
                    name="stats", batch_size=16, routing=lambda: runtime.routing)
    while runtime.queue.backlog():
        worker.run_once(block_seconds=0)
    details = [client.get(f"/api/v1/tickets/{i}").json() for i in ids]
    with runtime.sessions() as session:
        repository.add_labels(session, [
            {"ticket_id": ids[0], "field": "queue", "source": "feedback",
             "value": details[0]["predictions"]["queue"]["label"]},
            {"ticket_id": ids[1], "field": "queue", "source": "resolution", "value": "nonsense"},
            {"ticket_id": ids[2], "field": "queue", "source": "review", "value": "billing"},
        ])
        session.commit()

    stats = client.get("/api/v1/stats").json()
    decisions = [d["decision"] for d in details]
    auto = decisions.count("auto_route")
    assert stats["tickets"] == 3 and sum(stats["by_decision"].values()) == 3
    assert stats["automation_rate"] == round(auto / 3, 4)
    assert stats["reviewer_hours_saved"] == round(auto * 4.0 / 60, 2)
    waiting = decisions.count("human_review") + decisions.count("escalate")
    assert sum(stats["review_backlog"].values()) == waiting >= 1  # the lawyer ticket at least
    by_decision = [p for p in stats["realized_precision"] if p["field"] == "queue"]
    assert sum(p["labelled"] for p in by_decision) == 2  # a review label is not an outcome
    assert sum(p["correct"] for p in by_decision) == 1
    assert all(0 <= p["precision"] <= 1 for p in by_decision)
    assert sum(stats["sentiment"].values()) == 3 and stats["sentiment"]["negative"] >= 1
    assert client.get("/api/v1/stats?days=0").status_code == 422


@pytest.mark.postgres
def test_stats_sql_on_postgres(postgres_url: str) -> None:
    migrate.upgrade(postgres_url)
    engine = make_engine(postgres_url)
    sessions = make_session_factory(engine)
    try:
        with sessions() as session:
            [a, b] = intake.submit(session, [intake.NewTicket("s", "one"),
                                             intake.NewTicket("s", "two")], max_chars=100)
            repository.store_classifications(session, [
                ClassifiedTicket(ticket_id=t.id, language="en", model_version="m",
                                 decision=d, status=s, latency_ms=1.0,
                                 fields=[FieldOutcome("queue", "billing", 0.9, [], d)],
                                 extra={"rules_fired": [], "signals": {}, "urgency": "high",
                                        "sentiment": "neutral", "sla_breach_risk": risk,
                                        "assigned_team": "finance", "assigned_group": None})
                for t, d, s, risk in ((a, "auto_route", "auto_routed", False),
                                      (b, "human_review", "in_review", True))])
            repository.add_labels(session, [{"ticket_id": a.id, "field": "queue",
                                             "value": "billing", "source": "feedback"}])
            session.commit()
            since = datetime.now(UTC) - timedelta(days=1)
            assert stats_repository.volume(session, since)["by_decision"] == {
                "auto_route": 1, "human_review": 1}
            assert stats_repository.signal_counts(session, since)["sla_breach_risk"] == {
                "true": 1, "false": 1}
            assert stats_repository.open_sla_risk(session, ("in_review",)) == 1
            assert stats_repository.realized_precision(session, since) == [
                {"field": "queue", "decision": "auto_route", "labelled": 1, "correct": 1}]
    finally:
        engine.dispose()
