"""All SQL of the review workflow: leases, verdicts, labels with provenance, double reviews and
the audit trail. Functions take a Session and never commit: the caller owns the transaction.

Leases are taken with one conditional UPDATE per statement ("free, expired or already mine"):
SQLite serialises writers, and PostgreSQL re-checks the WHERE clause on the locked row after a
concurrent update commits, so two reviewers can never both win the same ticket.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from autotriage.storage.tables import (
    AuditEvent,
    DoubleReview,
    DoubleReviewStatus,
    FieldPrediction,
    Label,
    LabelSource,
    ReviewVerdict,
    Ticket,
)


def _lease_open(owner_col: Any, until_col: Any, reviewer: str, now: datetime) -> Any:
    return or_(until_col.is_(None), until_col < now, owner_col == reviewer)


def ticket_lease_open(reviewer: str, now: datetime) -> ColumnElement[bool]:
    return _lease_open(Ticket.review_lease_owner, Ticket.review_lease_until, reviewer, now)


# --- queue and leases ---


def queue_tickets(
    session: Session,
    statuses: Sequence[str],
    *,
    now: datetime,
    reviewer: str,
    limit: int,
    order: str,
    priority_field: str = "",
    priority_ranking: Sequence[str] = (),
    include_own: bool = True,
) -> list[Ticket]:
    """Reviewable tickets not leased by someone else (nor by `reviewer` unless `include_own`).
    `order`: oldest | priority | uncertain (lowest top confidence over any field first: the
    pool the informative order re-ranks)."""
    open_to = reviewer if include_own else ""
    query = select(Ticket).where(Ticket.status.in_(statuses), ticket_lease_open(open_to, now))
    if order == "priority":
        priority = (
            select(FieldPrediction.label)
            .where(FieldPrediction.prediction_id == Ticket.prediction_id,
                   FieldPrediction.field == priority_field)
            .limit(1)
            .scalar_subquery()
        )
        rank = case({label: i for i, label in enumerate(priority_ranking)}, value=priority,
                    else_=len(priority_ranking))
        query = query.order_by(rank, Ticket.created_at, Ticket.id)
    elif order == "uncertain":
        lowest = (
            select(func.min(FieldPrediction.confidence))
            .where(FieldPrediction.prediction_id == Ticket.prediction_id)
            .scalar_subquery()
        )
        query = query.order_by(lowest, Ticket.id)
    else:
        query = query.order_by(Ticket.created_at, Ticket.id)
    return list(session.scalars(query.limit(limit)).unique())


def count_queue(session: Session, statuses: Sequence[str], *, now: datetime,
                reviewer: str) -> int:
    return int(session.scalar(
        select(func.count(Ticket.id)).where(Ticket.status.in_(statuses),
                                            ticket_lease_open(reviewer, now))
    ) or 0)


def claim_tickets(
    session: Session, ticket_ids: Sequence[int], statuses: Sequence[str], *,
    reviewer: str, now: datetime, until: datetime,
) -> list[int]:
    """Lease the reviewable tickets among `ticket_ids` that are free, expired or already the
    reviewer's (renewed); returns the ids won."""
    if not ticket_ids:
        return []
    result = session.execute(
        update(Ticket)
        .where(Ticket.id.in_(ticket_ids), Ticket.status.in_(statuses),
               ticket_lease_open(reviewer, now))
        .values(review_lease_owner=reviewer, review_lease_until=until)
        .returning(Ticket.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(int(tid) for tid in result.scalars())


def release_tickets(session: Session, ticket_ids: Sequence[int], reviewer: str) -> list[int]:
    result = session.execute(
        update(Ticket)
        .where(Ticket.id.in_(ticket_ids), Ticket.review_lease_owner == reviewer)
        .values(review_lease_owner=None, review_lease_until=None)
        .returning(Ticket.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(int(tid) for tid in result.scalars())


def move_ticket(
    session: Session, ticket_id: int, *, from_statuses: Sequence[str], to_status: str,
    reviewer: str, now: datetime,
) -> bool:
    """Move a ticket on and free its lease, only if it is still in one of `from_statuses` and
    nobody else holds a live lease: the atomic step that makes a second verdict a 409."""
    result = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.status.in_(from_statuses),
               ticket_lease_open(reviewer, now))
        .values(status=to_status, review_lease_owner=None, review_lease_until=None,
                updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def tickets_by_id(session: Session, ticket_ids: Sequence[int]) -> dict[int, Ticket]:
    if not ticket_ids:
        return {}
    rows = session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids))).unique()
    return {t.id: t for t in rows}


def refresh(session: Session, ticket: Ticket) -> None:
    session.refresh(ticket)


# --- verdicts, labels, audit ---


def add_verdict(session: Session, **values: Any) -> ReviewVerdict:
    verdict = ReviewVerdict(**values)
    session.add(verdict)
    session.flush()
    return verdict


def add_labels(
    session: Session, ticket_id: int, values: dict[str, str], *, source: str, actor: str,
    now: datetime, verdict_id: int | None = None,
) -> None:
    if values:
        session.execute(insert(Label), [
            {"ticket_id": ticket_id, "field": f, "value": v, "source": source, "actor": actor,
             "created_at": now, "verdict_id": verdict_id}
            for f, v in values.items()
        ])


def audit(session: Session, *, ticket_id: int | None, actor: str, action: str,
          details: dict[str, Any], now: datetime) -> None:
    session.execute(insert(AuditEvent), [{"ticket_id": ticket_id, "actor": actor,
                                          "action": action, "details": details,
                                          "created_at": now}])


def audit_events(session: Session, *, ticket_id: int | None, actor: str | None,
                 limit: int) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if ticket_id is not None:
        query = query.where(AuditEvent.ticket_id == ticket_id)
    if actor is not None:
        query = query.where(AuditEvent.actor == actor)
    return list(session.scalars(query))


def last_verdict_batch(session: Session, reviewer: str) -> list[ReviewVerdict]:
    """The reviewer's most recent verdicts that are not undone (a bulk verdict is one batch)."""
    latest = session.scalar(
        select(ReviewVerdict.batch)
        .where(ReviewVerdict.reviewer == reviewer, ReviewVerdict.undone_at.is_(None))
        .order_by(ReviewVerdict.id.desc()).limit(1)
    )
    if latest is None:
        return []
    return list(session.scalars(
        select(ReviewVerdict).where(ReviewVerdict.batch == latest).order_by(ReviewVerdict.id)
    ))


def later_verdicts_exist(session: Session, verdict: ReviewVerdict) -> bool:
    return session.scalar(
        select(func.count(ReviewVerdict.id)).where(
            ReviewVerdict.ticket_id == verdict.ticket_id, ReviewVerdict.id > verdict.id,
            ReviewVerdict.undone_at.is_(None))
    ) != 0


def undo_verdicts(session: Session, verdict_ids: Sequence[int], now: datetime) -> None:
    # Synchronised, so the caller's verdict objects show undone_at.
    session.execute(update(ReviewVerdict).where(ReviewVerdict.id.in_(verdict_ids))
                    .values(undone_at=now))
    session.execute(update(Label).where(Label.verdict_id.in_(verdict_ids),
                                        Label.invalidated_at.is_(None))
                    .values(invalidated_at=now).execution_options(synchronize_session=False))


def restore_ticket(session: Session, ticket_id: int, *, expect_status: str, to_status: str,
                   now: datetime) -> bool:
    result = session.execute(
        update(Ticket).where(Ticket.id == ticket_id, Ticket.status == expect_status)
        .values(status=to_status, review_lease_owner=None, review_lease_until=None,
                updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def valid_labels(session: Session, ticket_id: int, *, source: str | None = None) -> list[Label]:
    query = select(Label).where(Label.ticket_id == ticket_id, Label.invalidated_at.is_(None))
    if source is not None:
        query = query.where(Label.source == source)
    return list(session.scalars(query.order_by(Label.id)))


def verified_values(session: Session, field: str) -> set[str]:
    rows = session.scalars(select(Label.value).where(Label.field == field,
                                                     Label.invalidated_at.is_(None)).distinct())
    return {str(v) for v in rows}


@dataclass(frozen=True)
class VerifiedRow:
    ticket_id: int
    subject: str
    body: str
    value: str
    source: str


def verified_labels(session: Session, field: str) -> list[VerifiedRow]:
    """The current verified value of `field` per ticket: its latest label that still counts."""
    latest = (
        select(func.max(Label.id))
        .where(Label.field == field, Label.invalidated_at.is_(None))
        .group_by(Label.ticket_id)
    )
    rows = session.execute(
        select(Ticket.id, Ticket.subject, Ticket.body, Label.value, Label.source)
        .join(Label, Label.ticket_id == Ticket.id)
        .where(Label.id.in_(latest))
        .order_by(Ticket.id)
    )
    return [VerifiedRow(int(t), s or "", b, str(v), str(src)) for t, s, b, v, src in rows]


# --- double reviews ---


def add_double_review(session: Session, verdict: ReviewVerdict, now: datetime) -> None:
    session.add(DoubleReview(ticket_id=verdict.ticket_id, first_verdict_id=verdict.id,
                             first_reviewer=verdict.reviewer, status=DoubleReviewStatus.PENDING,
                             created_at=now, updated_at=now))


def double_reviews_of(session: Session, first_verdict_ids: Sequence[int]) -> list[DoubleReview]:
    return list(session.scalars(
        select(DoubleReview).where(DoubleReview.first_verdict_id.in_(first_verdict_ids))))


def set_double_review_status(session: Session, review_ids: Sequence[int], status: str,
                             now: datetime) -> None:
    if review_ids:
        session.execute(update(DoubleReview).where(DoubleReview.id.in_(review_ids))
                        .values(status=status, updated_at=now, lease_owner=None,
                                lease_until=None)
                        .execution_options(synchronize_session=False))


def get_double_review(session: Session, review_id: int) -> DoubleReview | None:
    return session.get(DoubleReview, review_id)


def double_reviews(session: Session, *, status: str, exclude_reviewer: str | None,
                   now: datetime, limit: int) -> list[DoubleReview]:
    query = select(DoubleReview).where(DoubleReview.status == status)
    if exclude_reviewer is not None:
        query = query.where(DoubleReview.first_reviewer != exclude_reviewer,
                            _lease_open(DoubleReview.lease_owner, DoubleReview.lease_until,
                                        exclude_reviewer, now))
    return list(session.scalars(query.order_by(DoubleReview.id).limit(limit)))


def claim_double_reviews(session: Session, review_ids: Sequence[int], *, reviewer: str,
                         now: datetime, until: datetime) -> list[int]:
    result = session.execute(
        update(DoubleReview)
        .where(DoubleReview.id.in_(review_ids), DoubleReview.status == DoubleReviewStatus.PENDING,
               DoubleReview.first_reviewer != reviewer,
               _lease_open(DoubleReview.lease_owner, DoubleReview.lease_until, reviewer, now))
        .values(lease_owner=reviewer, lease_until=until)
        .returning(DoubleReview.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(int(i) for i in result.scalars())


def complete_double_review(session: Session, review_id: int, *, reviewer: str, now: datetime,
                           values: dict[str, Any]) -> bool:
    """Record the second verdict only if the review is still pending, the reviewer is not the
    first one and nobody else holds it."""
    result = session.execute(
        update(DoubleReview)
        .where(DoubleReview.id == review_id, DoubleReview.status == DoubleReviewStatus.PENDING,
               DoubleReview.first_reviewer != reviewer,
               _lease_open(DoubleReview.lease_owner, DoubleReview.lease_until, reviewer, now))
        .values(second_reviewer=reviewer, lease_owner=None, lease_until=None, updated_at=now,
                **values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def finish_adjudication(session: Session, review_id: int, verdict_id: int, now: datetime) -> bool:
    result = session.execute(
        update(DoubleReview)
        .where(DoubleReview.id == review_id, DoubleReview.status == DoubleReviewStatus.CONFLICT)
        .values(status=DoubleReviewStatus.ADJUDICATED, adjudication_verdict_id=verdict_id,
                updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def verdicts_by_id(session: Session, ids: Sequence[int]) -> dict[int, ReviewVerdict]:
    rows = session.scalars(select(ReviewVerdict).where(ReviewVerdict.id.in_(ids)))
    return {v.id: v for v in rows}


def completed_double_reviews(session: Session) -> list[tuple[ReviewVerdict, ReviewVerdict]]:
    """(first, second) verdict pairs of every double review with a second verdict."""
    reviews = session.scalars(select(DoubleReview).where(
        DoubleReview.second_verdict_id.is_not(None),
        DoubleReview.status != DoubleReviewStatus.CANCELLED))
    pairs = [(r.first_verdict_id, int(r.second_verdict_id or 0)) for r in reviews]
    verdicts = verdicts_by_id(session, [i for pair in pairs for i in pair])
    return [(verdicts[a], verdicts[b]) for a, b in pairs if a in verdicts and b in verdicts]


# --- outcome figures ---


def suggestion_outcomes(session: Session, sources: Sequence[str]) -> list[tuple[Any, ...]]:
    """(field, suggested label, field decision, n, n where the verified value equals the
    suggestion) over the latest still-valid label from `sources` per ticket and field, against
    the ticket's current prediction."""
    latest = (
        select(func.max(Label.id))
        .where(Label.source.in_(sources), Label.invalidated_at.is_(None))
        .group_by(Label.ticket_id, Label.field)
    )
    agree = func.sum(case((Label.value == FieldPrediction.label, 1), else_=0))
    rows = session.execute(
        select(FieldPrediction.field, FieldPrediction.label, FieldPrediction.decision,
               func.count(Label.id), agree)
        .select_from(Label)
        .join(Ticket, Ticket.id == Label.ticket_id)
        .join(FieldPrediction, and_(FieldPrediction.prediction_id == Ticket.prediction_id,
                                    FieldPrediction.field == Label.field))
        .where(Label.id.in_(latest))
        .group_by(FieldPrediction.field, FieldPrediction.label, FieldPrediction.decision)
    )
    return [tuple(r) for r in rows]


def prediction_coverage(session: Session) -> list[tuple[Any, ...]]:
    """(field, predicted label, field decision, n) over every ticket's current prediction."""
    rows = session.execute(
        select(FieldPrediction.field, FieldPrediction.label, FieldPrediction.decision,
               func.count(FieldPrediction.id))
        .join(Ticket, Ticket.prediction_id == FieldPrediction.prediction_id)
        .group_by(FieldPrediction.field, FieldPrediction.label, FieldPrediction.decision)
    )
    return [tuple(r) for r in rows]


def verdict_action_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(ReviewVerdict.action, func.count(ReviewVerdict.id))
        .where(ReviewVerdict.undone_at.is_(None), ReviewVerdict.round == "first")
        .group_by(ReviewVerdict.action)
    )
    return {str(a): int(n) for a, n in rows}


REVIEW_SOURCES = (LabelSource.REVIEW,)
OUTCOME_SOURCES = (LabelSource.FEEDBACK, LabelSource.RESOLUTION)
