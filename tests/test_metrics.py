"""/metrics through the real app: HTTP, intake and worker counters, database-derived gauges
(checked against the database), promtool's linter, structured logs, the worker's own server."""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from autotriage.domain import intake
from autotriage.ml.model import TriageModel
from autotriage.observability.collector import serve_worker_metrics
from autotriage.observability.logging import JsonFormatter
from autotriage.runtime import Runtime
from autotriage.storage import metrics_repository, repository
from autotriage.storage.db import make_engine, make_session_factory
from autotriage.storage.repository import ClassifiedTicket, FieldOutcome
from autotriage.storage.tables import utcnow

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    return sum(v for (n, ls), v in samples.items()
               if n == name and set(labels.items()) <= set(ls))


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        message = "promtool is not installed (Debian package `prometheus`)"
        if os.environ.get("CI"):
            pytest.fail(message + "; .ci/run installs it")
        pytest.skip(message)
    return path


def test_requests_tickets_and_decisions_are_counted(
    client: TestClient, drain: Callable[[], int], stored_model: TriageModel
) -> None:
    before = scrape(client)
    one = client.post("/api/v1/tickets", json={"subject": "Refund", "body": "Please refund me."})
    batch = client.post("/api/v1/tickets/batch", json={"tickets": [
        {"subject": "Login", "body": "I cannot log in to my account."},
        {"subject": "Invoice", "body": "The invoice amount is wrong."},
    ]})
    assert one.status_code == batch.status_code == 202
    ticket_id = one.json()["id"]
    assert client.get(f"/api/v1/tickets/{ticket_id}").status_code == 200
    assert client.get("/api/v1/tickets/987654").status_code == 404
    assert client.get("/no/such/page/42").status_code == 404
    assert drain() == 3
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    route = "/api/v1/tickets/{ticket_id}"
    assert delta("autotriage_http_requests_total", route=route, status="200") == 1
    assert delta("autotriage_http_requests_total", route=route, status="404") == 1
    assert delta("autotriage_http_requests_total", route="unmatched", status="404") == 1
    assert delta("autotriage_http_request_duration_seconds_count", route=route) == 2
    routes = {dict(labels).get("route") for (_n, labels) in after}
    assert not any(r and r.rstrip("/").split("/")[-1].isdigit() for r in routes)  # no raw ids
    assert delta("autotriage_tickets_ingested_total", via="api") == 1
    assert delta("autotriage_tickets_ingested_total", via="api_batch") == 2
    assert delta("autotriage_tickets_processed_total") == 3
    for field in stored_model.fields:
        assert delta("autotriage_field_decisions_total", field=field) == 3
        assert delta("autotriage_prediction_confidence_count", field=field) == 3
        predicted = {dict(ls)["label"] for (n, ls), v in after.items()
                     if n == "autotriage_predictions_total" and dict(ls)["field"] == field}
        assert predicted <= set(stored_model.classes(field))
    assert value(after, "autotriage_model_info", version=stored_model.version,
                 trained_at=stored_model.info["trained_at"]) == 1
    assert value(after, "autotriage_model_loaded") == 1


def test_database_gauges_match_the_database(
    client: TestClient, drain: Callable[[], int], runtime: Runtime
) -> None:
    client.post("/api/v1/tickets/batch", json={"tickets": [
        {"subject": f"Parcel {i}", "body": f"Where is my parcel number {i}?"} for i in range(6)
    ]})
    waiting = scrape(client)
    assert value(waiting, "autotriage_tickets", status="received") == 6
    assert value(waiting, "autotriage_oldest_unclassified_ticket_age_seconds") >= 0
    assert value(waiting, "autotriage_queue_pending") == 6
    drain()
    client.app.state.metrics_registry = None  # a new collector: no cached database values
    samples = scrape(client)
    with runtime.sessions() as session:
        counts = repository.status_counts(session)
    for status, n in counts.items():
        assert value(samples, "autotriage_tickets", status=status) == n
    assert value(samples, "autotriage_tickets", status="received") == 0
    assert value(samples, "autotriage_queue_pending") == 0
    for status in ("in_review", "escalated"):
        assert value(samples, "autotriage_review_backlog", status=status) == counts.get(status, 0)
    assert value(samples, "autotriage_database_up") == 1


def _classified(ticket_id: int, decision: str, queue_label: str) -> ClassifiedTicket:
    return ClassifiedTicket(
        ticket_id=ticket_id, language="en", model_version="m1", decision=decision,
        status={"auto_route": "auto_routed", "human_review": "in_review"}[decision],
        latency_ms=1.0,
        fields=[FieldOutcome("queue", queue_label, 0.95, [[queue_label, 0.95]], decision)],
    )


def _precision_fixture(sessions: Callable[[], object]) -> None:
    """Four auto-routed tickets (3 right, 1 wrong by feedback/resolution), one reviewed ticket
    whose label must not count, an auto-routed one relabelled (newest label wins)."""
    with sessions() as session:  # type: ignore[attr-defined]
        ids = [a.id for a in intake.submit(
            session, [intake.NewTicket("s", f"body {i}") for i in range(6)], max_chars=100)]
        predicted = ["billing", "billing", "shipping", "billing", "billing", "billing"]
        decisions = ["auto_route"] * 4 + ["human_review", "auto_route"]
        repository.store_classifications(session, [
            _classified(t, d, p) for t, d, p in zip(ids, decisions, predicted, strict=True)])
        truth = ["billing", "billing", "shipping", "returns", "returns"]
        repository.add_labels(session, [
            {"ticket_id": t, "field": "queue", "value": v, "source": "feedback"}
            for t, v in zip(ids[:5], truth, strict=True)])
        repository.add_labels(session, [
            {"ticket_id": ids[5], "field": "queue", "value": "returns", "source": "feedback"}])
        repository.add_labels(session, [
            {"ticket_id": ids[5], "field": "queue", "value": "billing", "source": "resolution"}])
        repository.add_labels(session, [
            {"ticket_id": ids[4], "field": "queue", "value": "billing", "source": "review"}])
        session.commit()  # type: ignore[attr-defined]


def test_realized_precision_from_feedback_and_resolutions(
    client: TestClient, runtime: Runtime
) -> None:
    _precision_fixture(runtime.sessions)
    samples = scrape(client)
    assert value(samples, "autotriage_auto_route_checked", field="queue") == 5
    assert value(samples, "autotriage_auto_route_precision", field="queue") == pytest.approx(0.8)
    assert value(samples, "autotriage_auto_route_precision_target", field="queue") == \
        runtime.settings.target_precision
    assert value(samples, "autotriage_labels_total", source="feedback") == 6
    assert value(samples, "autotriage_reviewed_tickets_total") == 1
    with runtime.sessions() as session:
        later = metrics_repository.auto_route_precision(session, utcnow() + timedelta(hours=1))
    assert later == {}  # labels older than the window do not count


@pytest.mark.postgres
def test_metrics_queries_on_postgres(postgres_url: str) -> None:
    from autotriage.storage import migrate

    migrate.upgrade(postgres_url)
    engine = make_engine(postgres_url)
    sessions = make_session_factory(engine)
    try:
        _precision_fixture(sessions)
        with sessions() as session:
            precision = metrics_repository.auto_route_precision(
                session, utcnow() - timedelta(days=1))
            backlogs = metrics_repository.status_backlogs(session, ("received", "in_review"))
            texts = metrics_repository.recent_ticket_texts(session, 3)
        assert precision == {"queue": metrics_repository.Precision(5, 4)}
        assert backlogs["in_review"].count == 1 and backlogs["received"].count == 0
        assert backlogs["in_review"].oldest is not None
        assert backlogs["in_review"].oldest.tzinfo is not None
        assert [body for _s, body in texts] == ["body 5", "body 4", "body 3"]
    finally:
        engine.dispose()


def test_exposition_passes_promtool(client: TestClient, drain: Callable[[], int]) -> None:
    tool = promtool()
    client.post("/api/v1/tickets", json={"subject": "Hi", "body": "My card was charged twice."})
    drain()
    text = client.get("/metrics").text
    result = subprocess.run([tool, "check", "metrics"], input=text, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("autotriage")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_json_logs_carry_ids_and_no_ticket_text(
    client: TestClient, drain: Callable[[], int], json_log: io.StringIO, stored_model: TriageModel
) -> None:
    secret = "Zyxwvut-Private-Words"
    response = client.post(
        "/api/v1/tickets", headers={"X-Request-ID": "req-42"},
        json={"subject": secret, "body": f"{secret} body", "sender": "jane.doe@example.com"})
    assert response.headers["X-Request-ID"] == "req-42"
    assert len(client.get("/health").headers["X-Request-ID"]) == 32  # generated when not given
    drain()
    raw = json_log.getvalue()
    assert secret not in raw and "jane.doe" not in raw
    lines = [json.loads(line) for line in raw.splitlines()]
    ticket_id = response.json()["id"]
    accepted = next(e for e in lines if e["message"] == "ticket accepted")
    assert accepted["ticket_id"] == ticket_id and accepted["request_id"] == "req-42"
    request = next(e for e in lines if e["message"] == "request" and e["method"] == "POST")
    assert request["route"] == "/api/v1/tickets" and request["status"] == 202
    assert request["request_id"] == "req-42" and request["latency_ms"] > 0
    classified = next(e for e in lines if e["message"] == "ticket classified")
    assert classified["ticket_id"] == ticket_id
    assert classified["model_version"] == stored_model.version
    assert classified["decision"] in ("auto_route", "human_review", "escalate")


def test_private_fields_only_when_asked() -> None:
    record = logging.makeLogRecord({"msg": "x", "body": "secret text", "ticket_id": 7})
    assert "secret text" not in JsonFormatter().format(record)
    assert json.loads(JsonFormatter(include_private=True).format(record))["body"] == "secret text"
    forged = logging.makeLogRecord({"msg": "x"})
    assert "request_id" not in json.loads(JsonFormatter().format(forged))


def test_worker_serves_its_own_metrics(runtime: Runtime) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = runtime.settings.model_copy(update={"worker_metrics_port": port})
    worker_runtime = Runtime(settings)
    worker_runtime.load_champion()
    server = serve_worker_metrics(worker_runtime)
    assert server is not None
    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        assert "autotriage_model_loaded 1.0" in text
        assert "autotriage_queue_pending" in text
        assert "autotriage_review_backlog" not in text  # database values come from the API
    finally:
        server.shutdown()
        server.server_close()
        worker_runtime.close()
