"""SQL of the integrations: the outbound webhook outbox, bulk-import checkpoints and exports.
Functions take a Session and never commit: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlalchemy.orm import Session

from autotriage.storage.tables import (
    DeliveryStatus,
    FieldPrediction,
    ImportRun,
    Label,
    Prediction,
    Ticket,
    TicketStatus,
    WebhookDelivery,
    utcnow,
)

# --- outbound webhook outbox ---


def decided_tickets(session: Session, ticket_ids: Sequence[int]) -> list[Ticket]:
    """The tickets among `ticket_ids` that have a decision (with their current prediction)."""
    if not ticket_ids:
        return []
    query = (
        select(Ticket)
        .where(Ticket.id.in_(ticket_ids), Ticket.status != TicketStatus.RECEIVED,
               Ticket.prediction_id.is_not(None))
        .order_by(Ticket.id)
        # The classification was written with bulk statements this transaction; refresh the
        # tickets the session already holds instead of returning their stale state.
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query).unique())


def known_event_keys(session: Session, keys: Sequence[str]) -> set[str]:
    if not keys:
        return set()
    rows = session.scalars(
        select(WebhookDelivery.event_key).where(WebhookDelivery.event_key.in_(keys))
    )
    return set(rows)


def add_deliveries(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        now = utcnow()
        session.execute(
            insert(WebhookDelivery),
            [{"status": DeliveryStatus.PENDING, "attempts": 0, "next_attempt_at": now,
              "created_at": now, **row} for row in rows],
        )


def claim_due_deliveries(
    session: Session, *, limit: int, lease_until: datetime
) -> list[WebhookDelivery]:
    """Pending deliveries that are due, leased until `lease_until` so that no other process
    sends them meanwhile (SKIP LOCKED on PostgreSQL; SQLite has one writer anyway)."""
    now = utcnow()
    rows = list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.status == DeliveryStatus.PENDING,
                   WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.next_attempt_at = lease_until
    return rows


def record_attempt(
    session: Session,
    delivery_id: int,
    *,
    status: str,
    attempts: int,
    next_attempt_at: datetime,
    status_code: int | None,
    error: str | None,
) -> None:
    values: dict[str, Any] = {"status": status, "attempts": attempts,
                              "next_attempt_at": next_attempt_at,
                              "last_status_code": status_code, "last_error": error}
    if status == DeliveryStatus.DELIVERED:
        values["delivered_at"] = utcnow()
    session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
                    .values(**values))


def list_deliveries(
    session: Session, *, status: str | None, ticket_id: int | None, limit: int
) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)
    if status:
        query = query.where(WebhookDelivery.status == status)
    if ticket_id is not None:
        query = query.where(WebhookDelivery.ticket_id == ticket_id)
    return list(session.scalars(query))


# --- bulk-import checkpoints ---


def import_run(session: Session, fingerprint: str) -> ImportRun | None:
    return session.scalar(select(ImportRun).where(ImportRun.fingerprint == fingerprint))


def start_import_run(session: Session, fingerprint: str, source: str, rows_total: int) -> int:
    now = utcnow()
    return int(session.execute(
        insert(ImportRun).returning(ImportRun.id),
        {"fingerprint": fingerprint, "source": source, "status": "running",
         "rows_total": rows_total, "rows_done": 0, "tickets_created": 0, "labels_created": 0,
         "started_at": now, "updated_at": now},
    ).scalar_one())


def advance_import_run(
    session: Session, run_id: int, *, rows_done: int, tickets: int, labels: int, status: str
) -> None:
    session.execute(
        update(ImportRun).where(ImportRun.id == run_id).values(
            rows_done=rows_done,
            tickets_created=ImportRun.tickets_created + tickets,
            labels_created=ImportRun.labels_created + labels,
            status=status,
            updated_at=utcnow(),
        )
    )


# --- exports: pages in id order, so memory stays flat on any table size ---

EXPORTS = ("tickets", "predictions", "labels")


@dataclass(frozen=True)
class ExportWindow:
    created_from: datetime | None = None
    created_to: datetime | None = None


def _window(query: Select[Any], column: Any, window: ExportWindow) -> Select[Any]:
    if window.created_from is not None:
        query = query.where(column >= window.created_from)
    if window.created_to is not None:
        query = query.where(column < window.created_to)
    return query


def export_pages(
    session: Session, what: str, window: ExportWindow, page_size: int = 2_000
) -> Iterator[list[dict[str, Any]]]:
    after = 0
    while True:
        page = _export_page(session, what, window, after, page_size)
        if not page:
            return
        yield [row for _, row in page]
        after = page[-1][0]


def _export_page(
    session: Session, what: str, window: ExportWindow, after: int, size: int
) -> list[tuple[int, dict[str, Any]]]:
    if what == "tickets":
        query = _window(select(Ticket).where(Ticket.id > after), Ticket.created_at, window)
        tickets = session.scalars(query.order_by(Ticket.id).limit(size)).unique()
        return [(t.id, _ticket_row(t)) for t in tickets]
    if what == "predictions":
        query = (
            select(FieldPrediction.id, Prediction, Ticket.external_id, FieldPrediction)
            .join(Prediction, FieldPrediction.prediction_id == Prediction.id)
            .join(Ticket, Prediction.ticket_id == Ticket.id)
            .where(FieldPrediction.id > after)
        )
        query = _window(query, Prediction.created_at, window)
        rows = session.execute(query.order_by(FieldPrediction.id).limit(size))
        return [(fid, _prediction_row(p, ext, fp)) for fid, p, ext, fp in rows]
    query = (
        select(Label, Ticket.external_id)
        .join(Ticket, Label.ticket_id == Ticket.id)
        .where(Label.id > after)
    )
    query = _window(query, Label.created_at, window)
    rows = session.execute(query.order_by(Label.id).limit(size))
    return [(label.id, _label_row(label, ext)) for label, ext in rows]


def _ticket_row(t: Ticket) -> dict[str, Any]:
    return {
        "id": t.id, "external_id": t.external_id, "subject": t.subject, "body": t.body,
        "sender": t.sender, "channel": t.channel, "language": t.language, "status": t.status,
        "decision": t.decision,
        "model_version": t.prediction.model_version if t.prediction else None,
        "created_at": t.created_at, "classified_at": t.classified_at,
    }


def _prediction_row(p: Prediction, external_id: str | None, fp: FieldPrediction) -> dict[str, Any]:
    return {
        "ticket_id": p.ticket_id, "external_id": external_id, "prediction_id": p.id,
        "model_version": p.model_version, "decision": p.decision, "field": fp.field,
        "label": fp.label, "confidence": fp.confidence, "field_decision": fp.decision,
        "created_at": p.created_at,
    }


def _label_row(label: Label, external_id: str | None) -> dict[str, Any]:
    return {
        "ticket_id": label.ticket_id, "external_id": external_id, "field": label.field,
        "value": label.value, "source": label.source, "actor": label.actor,
        "created_at": label.created_at,
    }
