"""All SQL of the ticket flow. Functions take a Session and never commit: the caller owns the
transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from autotriage.storage.tables import (
    FieldPrediction,
    Label,
    Prediction,
    Ticket,
    TicketOwner,
    TicketStatus,
    utcnow,
)


def tickets_by_external_id(session: Session, external_ids: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(external_ids))
    found: dict[str, int] = {}
    # Chunked so a 1,000-ticket batch stays under every database's parameter limit.
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(
            select(Ticket.external_id, Ticket.id).where(Ticket.external_id.in_(chunk))
        )
        found.update({str(ext): int(tid) for ext, tid in rows})
    return found


def ticket_by_idempotency_key(session: Session, key: str) -> int | None:
    return session.scalar(select(Ticket.id).where(Ticket.idempotency_key == key))


def insert_tickets(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert tickets in one statement; returns their ids in the order of `rows`."""
    if not rows:
        return []
    now = utcnow()
    values = [
        {"status": TicketStatus.RECEIVED, "created_at": now, "updated_at": now, **row}
        for row in rows
    ]
    result = session.execute(
        insert(Ticket).returning(Ticket.id, sort_by_parameter_order=True), values
    )
    return [int(tid) for tid in result.scalars()]


def get_ticket(session: Session, ticket_id: int) -> Ticket | None:
    return session.get(Ticket, ticket_id)


def received_tickets(session: Session, ticket_ids: Sequence[int]) -> list[Ticket]:
    """The tickets among `ticket_ids` that still wait for classification."""
    if not ticket_ids:
        return []
    return list(
        session.scalars(
            select(Ticket)
            .where(Ticket.id.in_(ticket_ids), Ticket.status == TicketStatus.RECEIVED)
            .order_by(Ticket.id)
        )
    )


@dataclass
class FieldOutcome:
    field: str
    label: str
    confidence: float
    top: list[list[Any]]
    decision: str


@dataclass
class ClassifiedTicket:
    ticket_id: int
    language: str | None
    model_version: str
    decision: str
    status: str
    latency_ms: float
    fields: list[FieldOutcome] = field(default_factory=list)
    # decision policy v2 (issue 3): why the policy decided what it did
    reason: str | None = None
    # routing rules, urgency, SLA (issue 10): rules_fired, signals, ... columns of the prediction
    extra: dict[str, Any] = field(default_factory=dict)


def store_classifications(session: Session, items: Sequence[ClassifiedTicket]) -> None:
    """Write predictions and move tickets on, in bulk statements (throughput matters here)."""
    if not items:
        return
    now = utcnow()
    prediction_ids = session.execute(
        insert(Prediction).returning(Prediction.id, sort_by_parameter_order=True),
        [
            {
                "ticket_id": item.ticket_id,
                "model_version": item.model_version,
                "decision": item.decision,
                "latency_ms": item.latency_ms,
                "created_at": now,
                "reason": (item.reason or None) and item.reason[:500],
                **item.extra,
            }
            for item in items
        ],
    ).scalars().all()
    session.execute(
        insert(FieldPrediction),
        [
            {
                "prediction_id": pid,
                "field": fo.field,
                "label": fo.label,
                "confidence": fo.confidence,
                "top": fo.top,
                "decision": fo.decision,
            }
            for pid, item in zip(prediction_ids, items, strict=True)
            for fo in item.fields
        ],
    )
    session.execute(
        update(Ticket),
        [
            {
                "id": item.ticket_id,
                "status": item.status,
                "decision": item.decision,
                "prediction_id": pid,
                "language": item.language,
                "classified_at": now,
                "updated_at": now,
            }
            for pid, item in zip(prediction_ids, items, strict=True)
        ],
    )


def stale_received_ids(session: Session, older_than: timedelta, limit: int = 10_000) -> list[int]:
    cutoff = utcnow() - older_than
    return list(
        session.scalars(
            select(Ticket.id)
            .where(Ticket.status == TicketStatus.RECEIVED, Ticket.updated_at < cutoff)
            .order_by(Ticket.id)
            .limit(limit)
        )
    )


def touch_tickets(session: Session, ticket_ids: Sequence[int]) -> None:
    if ticket_ids:
        session.execute(
            update(Ticket).where(Ticket.id.in_(ticket_ids)).values(updated_at=utcnow())
        )


@dataclass(frozen=True)
class TicketFilter:
    status: str | None = None
    decision: str | None = None
    predicted: tuple[tuple[str, str], ...] = ()
    created_from: datetime | None = None
    created_to: datetime | None = None
    text: str | None = None
    submitted_by: int | None = None  # security (issue 9): a submitter sees only their own


def list_tickets(
    session: Session, filters: TicketFilter, *, before_id: int | None, limit: int
) -> list[Ticket]:
    """Newest first, keyset-paginated by id (stable while new tickets arrive)."""
    query = select(Ticket).where(*_conditions(filters)).order_by(Ticket.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(Ticket.id < before_id)
    return list(session.scalars(query).unique())


def count_tickets(session: Session, filters: TicketFilter) -> int:
    return int(session.scalar(select(func.count(Ticket.id)).where(*_conditions(filters))) or 0)


def _conditions(filters: TicketFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.status:
        conditions.append(Ticket.status == filters.status)
    if filters.decision:
        conditions.append(Ticket.decision == filters.decision)
    for field_name, label in filters.predicted:
        conditions.append(
            exists().where(
                FieldPrediction.prediction_id == Ticket.prediction_id,
                FieldPrediction.field == field_name,
                FieldPrediction.label == label,
            )
        )
    if filters.submitted_by is not None:
        conditions.append(exists().where(TicketOwner.ticket_id == Ticket.id,
                                         TicketOwner.user_id == filters.submitted_by))
    if filters.created_from:
        conditions.append(Ticket.created_at >= filters.created_from)
    if filters.created_to:
        conditions.append(Ticket.created_at < filters.created_to)
    if filters.text:
        pattern = "%" + filters.text.replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_"
        ) + "%"
        conditions.append(
            or_(Ticket.subject.ilike(pattern, escape="\\"), Ticket.body.ilike(pattern, escape="\\"))
        )
    return conditions


def status_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Ticket.status, func.count()).group_by(Ticket.status))
    return {str(status): int(n) for status, n in rows}


def labels_for_ticket(session: Session, ticket_id: int) -> list[Label]:
    return list(
        session.scalars(
            # Undone or adjudicated-away labels stay in the table for the audit trail only.
            select(Label)
            .where(Label.ticket_id == ticket_id, Label.invalidated_at.is_(None))
            .order_by(Label.created_at, Label.id)
        )
    )


def add_labels(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(Label), [{"created_at": utcnow(), **row} for row in rows])

