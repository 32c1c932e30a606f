"""Outbound webhooks: outbox rows in the worker's transaction, delivered to a real HTTP server on
127.0.0.1 with signatures, retries, backoff, Retry-After and a delivery log."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from autotriage.app import create_app
from autotriage.config import Settings
from autotriage.domain import intake
from autotriage.integrations.outbound import (
    DecisionOutbox,
    Deliverer,
    backoff_seconds,
    enqueue_verdict,
)
from autotriage.integrations.signatures import sign_hex
from autotriage.runtime import Runtime
from autotriage.storage import migrate
from autotriage.storage.db import make_engine, make_session_factory
from autotriage.storage.tables import Ticket, WebhookDelivery, utcnow
from autotriage.worker.loop import Worker
from tests.conftest import wait_for

SECRET = "outbound-secret"


@dataclass
class Receiver:
    """A helpdesk stand-in: answers with the scripted statuses, then 200; records requests."""

    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status, headers = receiver.script.pop(0) if receiver.script else (200, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), rec.handler())
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/autotriage"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()


def _outbound_settings(base: Settings, urls: list[str], **extra: Any) -> Settings:
    return Settings(**{**base.model_dump(), "outbound_webhook_urls": urls,  # type: ignore[call-arg]
                       "outbound_webhook_secret": SECRET, "outbound_backoff_seconds": 0.01,
                       "outbound_backoff_max_seconds": 0.05, "outbound_timeout_seconds": 2,
                       "outbound_poll_seconds": 0.02, **extra}, _env_file=None)


def _submit(runtime: Runtime, n: int) -> list[int]:
    with runtime.sessions() as session:
        accepted = intake.submit(session, [intake.NewTicket("Refund", f"Refund order {i} please",
                                                            external_id=f"zendesk:{900 + i}")
                                           for i in range(n)], max_chars=1000)
        session.commit()
    return [a.id for a in accepted]


def _deliveries(runtime: Runtime) -> list[WebhookDelivery]:
    with runtime.sessions() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def _deliver_until_settled(deliverer: Deliverer, runtime: Runtime) -> None:
    def settled() -> bool:
        deliverer.deliver_due()
        return all(d.status != "pending" for d in _deliveries(runtime))

    wait_for(settled, timeout=20)


def test_decisions_are_delivered_signed_after_retries(
    runtime: Runtime, receiver: Receiver
) -> None:
    settings = _outbound_settings(runtime.settings, [receiver.url])
    worker = Worker(runtime.sessions, runtime.queue, runtime.models, runtime.policy,
                    name="t", batch_size=64, on_classified=DecisionOutbox([receiver.url]))
    ids = _submit(runtime, 2)
    runtime.queue.publish(ids)
    runtime.queue.publish(ids[:1])  # a redelivered message: no second event
    while runtime.queue.backlog():
        worker.run_once(block_seconds=0)
    rows = _deliveries(runtime)
    assert [r.ticket_id for r in rows] == ids and {r.status for r in rows} == {"pending"}

    # First a server error, then a rate limit with Retry-After, then success.
    receiver.script = [(500, {}), (429, {"Retry-After": "0"})]
    deliverer = Deliverer(runtime.sessions, settings)
    _deliver_until_settled(deliverer, runtime)
    rows = _deliveries(runtime)
    assert {r.status for r in rows} == {"delivered"}
    # Each row failed once (the 500 and the 429 went to the two rows of the first pass).
    assert [(r.attempts, r.last_status_code) for r in rows] == [(2, 200), (2, 200)]
    assert all(r.delivered_at is not None for r in rows)
    attempts = [h["x-autotriage-attempt"] for h, _ in receiver.received]
    assert sorted(attempts) == ["1", "1", "2", "2"]

    events = {}
    for headers, body in receiver.received:
        assert headers["x-autotriage-signature"] == sign_hex(SECRET, body)
        assert headers["content-type"] == "application/json"
        event = json.loads(body)
        assert headers["x-autotriage-event-id"] == event["event_id"]
        events[event["event_id"]] = event
    assert len(receiver.received) == 4 and len(events) == 2  # retries resend the same event
    with runtime.sessions() as session:
        ticket = session.get(Ticket, ids[0])
        assert ticket is not None
        decided = next(e for e in events.values() if e["ticket"]["id"] == ids[0])
        assert decided["type"] == "ticket.decided"
        assert decided["ticket"]["external_id"] == "zendesk:900"
        assert decided["decision"] == ticket.decision
        assert decided["ticket"]["status"] == ticket.status
        assert set(decided["predictions"]) == {"queue", "priority", "type"}
    deliverer.http.close()


def test_an_unreachable_receiver_fails_after_max_attempts(runtime: Runtime) -> None:
    dead = "http://127.0.0.1:9/never"  # port 9 (discard): connection refused
    settings = _outbound_settings(runtime.settings, [dead], outbound_max_attempts=3)
    [ticket_id] = _submit(runtime, 1)
    with runtime.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        assert enqueue_verdict(session, [dead], ticket=ticket, verdict_id=41,
                               labels={"queue": "billing"}, reviewer="ana") == 1
        # The same verdict enqueued twice (a retried request) adds nothing.
        assert enqueue_verdict(session, [dead], ticket=ticket, verdict_id=41,
                               labels={"queue": "billing"}, reviewer="ana") == 0
        session.commit()
    deliverer = Deliverer(runtime.sessions, settings)
    _deliver_until_settled(deliverer, runtime)
    [row] = _deliveries(runtime)
    assert row.status == "failed" and row.attempts == 3
    assert row.last_status_code is None and "ConnectError" in (row.last_error or "")
    assert row.payload["verdict"] == {"id": 41, "action": "accept", "reviewer": "ana",
                                      "labels": {"queue": "billing"}}
    deliverer.http.close()


def test_backoff_grows_exponentially_and_is_capped() -> None:
    for attempt, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (10, 60.0)]:
        delay = backoff_seconds(attempt, 2.0, 60.0)
        assert ceiling / 2 <= delay <= ceiling


def test_the_service_delivers_in_the_background_and_logs_it(
    runtime: Runtime, receiver: Receiver
) -> None:
    settings = _outbound_settings(runtime.settings, [receiver.url])
    service = Runtime(settings)
    service.load_champion()
    with TestClient(create_app(settings, runtime=service, background=True)) as client:
        ticket_id = client.post("/api/v1/tickets", json={
            "subject": "Card blocked", "body": "My card was blocked abroad."}).json()["id"]
        wait_for(lambda: len(receiver.received) == 1)
        log = client.get("/api/v1/webhooks/deliveries", params={"ticket_id": ticket_id}).json()
        assert [(d["status"], d["attempts"], d["last_status_code"]) for d in log] == [
            ("delivered", 1, 200)]
        assert client.get("/api/v1/webhooks/deliveries",
                          params={"status": "nope"}).status_code == 422
    event = json.loads(receiver.received[0][1])
    assert event["ticket"]["id"] == ticket_id and event["type"] == "ticket.decided"


@pytest.mark.postgres
def test_claiming_skips_rows_leased_by_another_process(postgres_url: str) -> None:
    migrate.upgrade(postgres_url)
    engine = make_engine(postgres_url)
    sessions = make_session_factory(engine)
    from autotriage.storage import integrations as store

    try:
        with sessions() as session:
            store.add_deliveries(session, [
                {"event_id": f"e{i}", "event_key": f"k{i}", "event_type": "ticket.decided",
                 "ticket_id": i, "url": "http://127.0.0.1:9/x", "payload": {"n": i}}
                for i in range(4)])
            session.commit()
        lease = utcnow().replace(year=2100)
        with sessions() as first, sessions() as second:
            mine = store.claim_due_deliveries(first, limit=2, lease_until=lease)
            theirs = store.claim_due_deliveries(second, limit=10, lease_until=lease)
            assert len(mine) == 2 and len(theirs) == 2  # locked rows were skipped, not shared
            assert {r.id for r in mine}.isdisjoint({r.id for r in theirs})
            first.commit()
            second.commit()
        with sessions() as session:
            assert store.claim_due_deliveries(session, limit=10, lease_until=lease) == []
    finally:
        engine.dispose()
