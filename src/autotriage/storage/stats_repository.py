"""SQL of the business statistics (GET /api/v1/stats). Read-only; counts over a time window."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from autotriage.storage.tables import FieldPrediction, Label, LabelSource, Prediction, Ticket

# The labels that say what a ticket really was after the fact, independent of the reviewer who
# saw the model's suggestion: the customer's feedback and the resolution.
OUTCOME_SOURCES = (LabelSource.FEEDBACK, LabelSource.RESOLUTION)


def _counts(session: Session, column: Any, since: datetime) -> dict[str, int]:
    rows = session.execute(
        select(column, func.count()).where(Ticket.created_at >= since).group_by(column)
    )
    return {str(key): int(n) for key, n in rows if key is not None}


def volume(session: Session, since: datetime) -> dict[str, Any]:
    return {
        "tickets": int(session.scalar(
            select(func.count(Ticket.id)).where(Ticket.created_at >= since)) or 0),
        "by_status": _counts(session, Ticket.status, since),
        "by_decision": _counts(session, Ticket.decision, since),
    }


def signal_counts(session: Session, since: datetime) -> dict[str, dict[str, int]]:
    """Current predictions of the window's tickets by urgency, sentiment and SLA risk."""
    out: dict[str, dict[str, int]] = {}
    for name, column in (("urgency", Prediction.urgency), ("sentiment", Prediction.sentiment),
                         ("sla_breach_risk", Prediction.sla_breach_risk),
                         ("team", Prediction.assigned_team)):
        rows = session.execute(
            select(column, func.count())
            .join(Ticket, Ticket.prediction_id == Prediction.id)
            .where(Ticket.created_at >= since)
            .group_by(column)
        )
        out[name] = {str(key).lower(): int(n) for key, n in rows if key is not None}
    return out


def open_sla_risk(session: Session, statuses: tuple[str, ...]) -> int:
    """Tickets still waiting (review, escalation) whose predicted p90 is over their target."""
    return int(session.scalar(
        select(func.count(Ticket.id))
        .join(Prediction, Ticket.prediction_id == Prediction.id)
        .where(Ticket.status.in_(statuses), Prediction.sla_breach_risk.is_(True))
    ) or 0)


def open_count(session: Session, statuses: tuple[str, ...]) -> dict[str, int]:
    rows = session.execute(
        select(Ticket.status, func.count()).where(Ticket.status.in_(statuses))
        .group_by(Ticket.status)
    )
    return {str(s): int(n) for s, n in rows}


def realized_precision(session: Session, since: datetime) -> list[dict[str, Any]]:
    """Per field, and per decision: how often the current prediction matched an outcome label
    (feedback or resolution). The latest valid label per ticket and field counts."""
    latest = (
        select(Label.ticket_id, Label.field, func.max(Label.id).label("label_id"))
        .where(Label.source.in_(OUTCOME_SOURCES), Label.invalidated_at.is_(None))
        .group_by(Label.ticket_id, Label.field)
        .subquery()
    )
    correct = func.sum(case((FieldPrediction.label == Label.value, 1), else_=0))
    rows = session.execute(
        select(FieldPrediction.field, Ticket.decision, func.count(), correct)
        .select_from(latest)
        .join(Label, Label.id == latest.c.label_id)
        .join(Ticket, Ticket.id == latest.c.ticket_id)
        .join(FieldPrediction, and_(FieldPrediction.prediction_id == Ticket.prediction_id,
                                    FieldPrediction.field == latest.c.field))
        .where(Ticket.created_at >= since)
        .group_by(FieldPrediction.field, Ticket.decision)
        .order_by(FieldPrediction.field, Ticket.decision)
    )
    return [{"field": f, "decision": d, "labelled": int(n), "correct": int(c or 0)}
            for f, d, n, c in rows]
