"""SQL behind the web UI's pages (issue 8): daily series for the dashboard charts, a ticket's
prediction history, and the labelled past tickets that similar-ticket search compares against.
Read-only; other figures come from stats_repository and metrics_repository."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from autotriage.storage.tables import FieldPrediction, Label, Prediction, Ticket


def _day(column: Any) -> Any:
    # date() exists on SQLite (text 'YYYY-MM-DD') and PostgreSQL (a date); callers str() it.
    return func.date(column)


def daily_decisions(session: Session, since: datetime) -> dict[str, dict[str, int]]:
    """day -> decision (or the status for undecided tickets) -> tickets created that day."""
    day = _day(Ticket.created_at)
    kind = func.coalesce(Ticket.decision, Ticket.status)
    rows = session.execute(
        select(day, kind, func.count()).where(Ticket.created_at >= since).group_by(day, kind)
    )
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for d, k, n in rows:
        out[str(d)][str(k)] = int(n)
    return dict(out)


def daily_field(session: Session, field: str, since: datetime
                ) -> tuple[dict[str, dict[str, int]], dict[str, float]]:
    """For one predicted field, by day of ticket creation: tickets per predicted label, and the
    mean confidence of the current predictions."""
    day = _day(Ticket.created_at)
    rows = session.execute(
        select(day, FieldPrediction.label, func.count(), func.avg(FieldPrediction.confidence))
        .join(FieldPrediction, FieldPrediction.prediction_id == Ticket.prediction_id)
        .where(Ticket.created_at >= since, FieldPrediction.field == field)
        .group_by(day, FieldPrediction.label)
    )
    labels: dict[str, dict[str, int]] = defaultdict(dict)
    weighted: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for d, label, n, mean in rows:
        labels[str(d)][str(label)] = int(n)
        weighted[str(d)][0] += float(mean or 0.0) * int(n)
        weighted[str(d)][1] += int(n)
    confidence = {d: round(s / n, 4) for d, (s, n) in weighted.items() if n}
    return dict(labels), confidence


def latency_quantile(session: Session, newest: int, q: float) -> tuple[float | None, int]:
    """The q-quantile of classification latency (ms) over the newest `newest` predictions,
    and how many there were: bounded work however large the table (portable SQL, no
    percentile_cont on SQLite)."""
    recent = (select(Prediction.latency_ms.label("ms")).order_by(Prediction.id.desc())
              .limit(newest).subquery())
    n = int(session.scalar(select(func.count()).select_from(recent)) or 0)
    if n == 0:
        return None, 0
    value = session.scalar(select(recent.c.ms).order_by(recent.c.ms)
                           .offset(min(n - 1, int(q * n))).limit(1))
    return (float(value) if value is not None else None), n


def predictions_for_ticket(session: Session, ticket_id: int) -> list[Prediction]:
    """Every model's prediction for the ticket, newest first (shadow challengers included)."""
    return list(session.scalars(select(Prediction).where(Prediction.ticket_id == ticket_id)
                                .order_by(Prediction.id.desc())))


@dataclass(frozen=True)
class LabelledTicket:
    ticket_id: int
    subject: str
    body: str
    labels: dict[str, str]


def newest_labelled_ticket_id(session: Session) -> int | None:
    return session.scalar(select(func.max(Label.ticket_id)).where(Label.invalidated_at.is_(None)))


def labelled_tickets(session: Session, limit: int, exclude: Sequence[int] = ()
                     ) -> list[LabelledTicket]:
    """The newest `limit` tickets that have valid labels, with their newest value per field."""
    ids = list(session.scalars(
        select(Label.ticket_id).where(Label.invalidated_at.is_(None))
        .group_by(Label.ticket_id).order_by(Label.ticket_id.desc()).limit(limit)
    ))
    if not ids:
        return []
    values: dict[int, dict[str, str]] = defaultdict(dict)
    for ticket_id, field, value in session.execute(
        select(Label.ticket_id, Label.field, Label.value)
        .where(Label.ticket_id.in_(ids), Label.invalidated_at.is_(None)).order_by(Label.id)
    ):
        values[int(ticket_id)][str(field)] = str(value)
    rows = session.execute(select(Ticket.id, Ticket.subject, Ticket.body)
                           .where(Ticket.id.in_(ids)).order_by(Ticket.id.desc()))
    skip = set(exclude)
    return [LabelledTicket(int(i), s or "", b or "", values[int(i)])
            for i, s, b in rows if int(i) not in skip]
