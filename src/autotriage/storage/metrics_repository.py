"""SQL behind scrape-time metrics and drift windows: a few cheap aggregate queries.

Functions take a Session and never write; the metrics collector caches their results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from autotriage.storage.tables import FieldPrediction, Label, LabelSource, Prediction, Ticket

# Ground truth for auto-routed tickets: what customers and resolvers said afterwards. Reviewers'
# labels are left out: auto-routed tickets are not reviewed, and review labels judge other tickets.
TRUTH_SOURCES = (LabelSource.FEEDBACK, LabelSource.RESOLUTION)
WAITING_FOR_PEOPLE = ("in_review", "escalated")


def as_utc(moment: datetime | None) -> datetime | None:
    # SQLite hands timezone-aware columns back naive; they were written in UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Backlog:
    count: int
    oldest: datetime | None


def status_backlogs(session: Session, statuses: Sequence[str]) -> dict[str, Backlog]:
    """Tickets per status and when the longest-waiting one got there (classification time,
    creation time for unclassified ones)."""
    since = func.min(func.coalesce(Ticket.classified_at, Ticket.created_at))
    rows = session.execute(
        select(Ticket.status, func.count(), since)
        .where(Ticket.status.in_(statuses))
        .group_by(Ticket.status)
    )
    found = {str(status): Backlog(int(n), as_utc(oldest)) for status, n, oldest in rows}
    return {status: found.get(status, Backlog(0, None)) for status in statuses}


def ticket_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Ticket.status, func.count()).group_by(Ticket.status))
    return {str(status): int(n) for status, n in rows}


def label_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Label.source, func.count()).group_by(Label.source))
    return {str(source): int(n) for source, n in rows}


def reviewed_ticket_count(session: Session) -> int:
    query = select(func.count(func.distinct(Label.ticket_id))).where(
        Label.source == LabelSource.REVIEW
    )
    return int(session.scalar(query) or 0)


@dataclass(frozen=True)
class Precision:
    checked: int
    correct: int


def auto_route_precision(session: Session, since: datetime) -> dict[str, Precision]:
    """Per field, auto-routed tickets whose field later got a feedback or resolution label
    (the newest one per ticket and field, since `since`), and how many matched the prediction
    that routed them."""
    newest = (
        select(func.max(Label.id))
        .where(Label.source.in_(TRUTH_SOURCES), Label.created_at >= since)
        .group_by(Label.ticket_id, Label.field)
    )
    correct = func.sum(case((FieldPrediction.label == Label.value, 1), else_=0))
    rows = session.execute(
        select(FieldPrediction.field, func.count(), correct)
        .select_from(Label)
        .join(Ticket, Ticket.id == Label.ticket_id)
        .join(Prediction, Prediction.id == Ticket.prediction_id)
        .join(
            FieldPrediction,
            (FieldPrediction.prediction_id == Prediction.id)
            & (FieldPrediction.field == Label.field),
        )
        .where(Label.id.in_(newest), Prediction.decision == "auto_route")
        .group_by(FieldPrediction.field)
    )
    return {str(field): Precision(int(n), int(ok or 0)) for field, n, ok in rows}


def recent_ticket_texts(session: Session, limit: int) -> list[tuple[str, str]]:
    """(subject, body) of the newest `limit` tickets: the current window of drift checks."""
    rows = session.execute(
        select(Ticket.subject, Ticket.body).order_by(Ticket.id.desc()).limit(limit)
    )
    return [(subject or "", body or "") for subject, body in rows]
