"""Outbound webhooks: signed events when a decision or a verdict is made.

Outbox pattern: the event rows are written in the same transaction as the decision (or the
verdict), so an event exists exactly when its cause was committed, and classification never
waits for a receiver. A background loop (`Deliverer`) POSTs due rows, retries failures with
exponential backoff (honouring Retry-After) and records every attempt's outcome on the row,
which is the delivery log (`GET /api/v1/webhooks/deliveries`). Delivery is at least once:
receivers deduplicate by the `event_id` (also sent as `X-Autotriage-Event-Id`).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from autotriage import __version__
from autotriage.config import Settings
from autotriage.integrations.signatures import SIGNATURE_HEADER, sign_hex
from autotriage.storage import integrations as store
from autotriage.storage.tables import DeliveryStatus, Ticket, WebhookDelivery, utcnow

log = logging.getLogger(__name__)

TICKET_DECIDED = "ticket.decided"
TICKET_VERDICT = "ticket.verdict"


def check_urls(urls: Sequence[str]) -> None:
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise ValueError(
                f"outbound webhook URL {url!r} must start with http:// or https://; "
                "fix AUTOTRIAGE_OUTBOUND_WEBHOOK_URLS"
            )


def _ticket_ref(ticket: Ticket) -> dict[str, Any]:
    meta = ticket.meta or {}
    return {"id": ticket.id, "external_id": ticket.external_id, "channel": ticket.channel,
            "source": meta.get("source"), "source_ticket_id": meta.get("source_ticket_id")}


def _event(event_type: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"event_id": uuid.uuid4().hex, "type": event_type,
            "occurred_at": utcnow().isoformat(), **body}


def _enqueue(session: Session, urls: Sequence[str], events: list[tuple[str, int | None,
             dict[str, Any]]]) -> int:
    """Add one outbox row per (event, url) unless that event key was enqueued before."""
    known = store.known_event_keys(session, [key for key, _, _ in events])
    rows = [
        {"event_id": event["event_id"], "event_key": key, "event_type": event["type"],
         "ticket_id": ticket_id, "url": url, "payload": event}
        for key, ticket_id, event in events if key not in known
        for url in urls
    ]
    store.add_deliveries(session, rows)
    return len(rows)


def enqueue_decisions(session: Session, urls: Sequence[str], ticket_ids: Sequence[int]) -> int:
    """Outbox rows for the decisions among `ticket_ids`; the caller commits with the decision.
    Keyed by prediction id, so a redelivered queue message enqueues nothing new."""
    if not urls:
        return 0
    events = []
    for ticket in store.decided_tickets(session, ticket_ids):
        prediction = ticket.prediction
        assert prediction is not None
        events.append((f"{TICKET_DECIDED}:{prediction.id}", ticket.id, _event(TICKET_DECIDED, {
            "ticket": {**_ticket_ref(ticket), "status": ticket.status},
            "decision": ticket.decision,
            "model_version": prediction.model_version,
            "predictions": {fp.field: {"label": fp.label, "confidence": round(fp.confidence, 6),
                                       "decision": fp.decision} for fp in prediction.fields},
        })))
    return _enqueue(session, urls, events)


def enqueue_verdict(
    session: Session,
    urls: Sequence[str],
    *,
    ticket: Ticket,
    verdict_id: int | str,
    labels: Mapping[str, str],
    reviewer: str | None,
    action: str = "accept",
) -> int:
    """Outbox rows for a reviewer's verdict; call it in the transaction that stores the verdict
    (the review workflow, or any entry point that records verified labels)."""
    if not urls:
        return 0
    event = _event(TICKET_VERDICT, {
        "ticket": {**_ticket_ref(ticket), "status": ticket.status},
        "verdict": {"id": verdict_id, "action": action, "reviewer": reviewer,
                    "labels": dict(labels)},
    })
    return _enqueue(session, urls, [(f"{TICKET_VERDICT}:{verdict_id}", ticket.id, event)])


class DecisionOutbox:
    """The worker's hook: called with the batch's ticket ids before the batch commits."""

    def __init__(self, urls: Sequence[str]) -> None:
        check_urls(urls)
        self.urls = tuple(urls)

    def __call__(self, session: Session, ticket_ids: Sequence[int]) -> None:
        enqueue_decisions(session, self.urls, ticket_ids)


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Exponential backoff with jitter (50-100% of base * 2^(attempts-1)), at most `cap`."""
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not security


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status_code: int | None
    error: str | None
    retry_after: float | None = None


class Deliverer:
    """Sends due outbox rows; run() loops until stopped, deliver_due() is one pass."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings,
                 *, http: httpx.Client | None = None, batch: int = 50) -> None:
        self.sessions = sessions
        self.settings = settings
        secret = settings.outbound_webhook_secret
        self.secret = secret.get_secret_value() if secret is not None else ""
        self.http = http or httpx.Client(timeout=settings.outbound_timeout_seconds,
                                         follow_redirects=False)
        self.batch = batch

    def deliver_due(self) -> int:
        lease = timedelta(seconds=2 * self.settings.outbound_timeout_seconds + 5)
        with self.sessions() as session:
            due = store.claim_due_deliveries(session, limit=self.batch,
                                             lease_until=utcnow() + lease)
            session.commit()
        for delivery in due:
            self._record(delivery, self.send(delivery))
        return len(due)

    def send(self, delivery: WebhookDelivery) -> Outcome:
        body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
        headers = {
            "content-type": "application/json",
            "user-agent": f"autotriage/{__version__}",
            "X-Autotriage-Event": delivery.event_type,
            "X-Autotriage-Event-Id": delivery.event_id,
            "X-Autotriage-Delivery": str(delivery.id),
            "X-Autotriage-Attempt": str(delivery.attempts + 1),
        }
        if self.secret:
            headers[SIGNATURE_HEADER] = sign_hex(self.secret, body)
        try:
            response = self.http.post(delivery.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:1000])
        if 200 <= response.status_code < 300:
            return Outcome(True, response.status_code, None)
        return Outcome(False, response.status_code, response.text[:1000] or None,
                       retry_after_seconds(response))

    def _record(self, delivery: WebhookDelivery, outcome: Outcome) -> None:
        attempts = delivery.attempts + 1
        now = utcnow()
        if outcome.delivered:
            status, when = DeliveryStatus.DELIVERED, now
        elif attempts >= self.settings.outbound_max_attempts:
            status, when = DeliveryStatus.FAILED, now
            log.warning("webhook delivery %s to %s failed for good after %d attempts",
                        delivery.id, delivery.url, attempts)
        else:
            delay = backoff_seconds(attempts, self.settings.outbound_backoff_seconds,
                                    self.settings.outbound_backoff_max_seconds)
            if outcome.retry_after is not None:
                delay = max(delay, min(outcome.retry_after,
                                       self.settings.outbound_backoff_max_seconds))
            status, when = DeliveryStatus.PENDING, now + timedelta(seconds=delay)
        with self.sessions() as session:
            store.record_attempt(session, delivery.id, status=status, attempts=attempts,
                                 next_attempt_at=when, status_code=outcome.status_code,
                                 error=outcome.error)
            session.commit()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                sent = self.deliver_due()
            except Exception:
                log.exception("webhook delivery pass failed; trying again later")
                sent = 0
            if not sent:
                stop.wait(self.settings.outbound_poll_seconds)
        self.http.close()
