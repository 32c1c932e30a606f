"""All SQL of self-improvement: alias history, retraining runs, the retrain lock, verified labels
for training, shadow predictions. Functions take a Session and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from autotriage.storage.tables import (
    DoubleReview,
    DoubleReviewStatus,
    FieldPrediction,
    Label,
    LockRow,
    ModelEvent,
    Prediction,
    RetrainRun,
    RetrainStatus,
    Ticket,
    utcnow,
)

# --- alias history ---


def add_event(session: Session, **values: Any) -> ModelEvent:
    event = ModelEvent(created_at=utcnow(), **values)
    session.add(event)
    session.flush()
    return event


def events(session: Session, limit: int = 100) -> list[ModelEvent]:
    return list(session.scalars(select(ModelEvent).order_by(ModelEvent.id.desc()).limit(limit)))


def last_event(session: Session, alias: str) -> ModelEvent | None:
    return session.scalars(
        select(ModelEvent).where(ModelEvent.alias == alias).order_by(ModelEvent.id.desc()).limit(1)
    ).first()


# --- retraining runs ---


def start_run(session: Session, *, trigger: str, actor: str, dry_run: bool) -> RetrainRun:
    run = RetrainRun(status=RetrainStatus.RUNNING, trigger=trigger, actor=actor,
                     dry_run=dry_run, started_at=utcnow(), max_label_id=max_label_id(session))
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run_id: int, **values: Any) -> None:
    session.execute(update(RetrainRun).where(RetrainRun.id == run_id)
                    .values(finished_at=utcnow(), **values))


def get_run(session: Session, run_id: int) -> RetrainRun | None:
    return session.get(RetrainRun, run_id)


def recent_runs(session: Session, limit: int = 20) -> list[RetrainRun]:
    return list(session.scalars(select(RetrainRun).order_by(RetrainRun.id.desc()).limit(limit)))


def last_run(session: Session) -> RetrainRun | None:
    """The newest run that was not a dry run, whatever its outcome: a failed run waits for the
    next batch of labels (or a person) instead of failing again every check."""
    return session.scalars(
        select(RetrainRun).where(RetrainRun.dry_run.is_(False))
        .order_by(RetrainRun.id.desc()).limit(1)
    ).first()


# --- the lock ---


def try_lock(session: Session, name: str, owner: str, ttl: timedelta) -> bool:
    """Take `name` for `owner` until now + ttl, when it is free, expired or already ours.

    One conditional UPDATE, or an INSERT that does nothing when another process inserted first:
    both are atomic on SQLite and PostgreSQL, so two contenders never both win."""
    now = utcnow()
    values = {"owner": owner, "acquired_at": now, "expires_at": now + ttl}
    taken = session.execute(
        update(LockRow)
        .where(LockRow.name == name, (LockRow.expires_at < now) | (LockRow.owner == owner))
        .values(**values).execution_options(synchronize_session=False)
    )
    if taken.rowcount:  # type: ignore[attr-defined]
        return True
    dialect = session.get_bind().dialect.name
    statement = (postgresql.insert(LockRow) if dialect == "postgresql" else sqlite.insert(LockRow))
    # RETURNING, not rowcount: psycopg reports -1 rows for an INSERT ... ON CONFLICT.
    inserted = session.execute(
        statement.values(name=name, **values).on_conflict_do_nothing(index_elements=["name"])
        .returning(LockRow.name)
    )
    return inserted.first() is not None


def release_lock(session: Session, name: str, owner: str) -> None:
    session.execute(
        update(LockRow).where(LockRow.name == name, LockRow.owner == owner)
        .values(expires_at=utcnow() - timedelta(seconds=1))
        .execution_options(synchronize_session=False)
    )


def lock_holder(session: Session, name: str) -> LockRow | None:
    row = session.get(LockRow, name)
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(
        tzinfo=utcnow().tzinfo)
    return row if expires > utcnow() else None


# --- verified labels ---


@dataclass(frozen=True)
class VerifiedLabel:
    label_id: int
    ticket_id: int
    subject: str
    body: str
    field: str
    value: str
    created_at: datetime


def verified_labels(session: Session, fields: Sequence[str]) -> list[VerifiedLabel]:
    """The current value of each field of each ticket: its latest label that still counts
    (undone and adjudicated-away labels are invalidated). Tickets whose double review waits
    for adjudication are left out until a person has settled them."""
    latest = (
        select(func.max(Label.id))
        .where(Label.field.in_(list(fields)), Label.invalidated_at.is_(None))
        .group_by(Label.ticket_id, Label.field)
    )
    unsettled = select(DoubleReview.ticket_id).where(
        DoubleReview.status == DoubleReviewStatus.CONFLICT)
    rows = session.execute(
        select(Label.id, Ticket.id, Ticket.subject, Ticket.body, Label.field, Label.value,
               Label.created_at)
        .join(Ticket, Ticket.id == Label.ticket_id)
        .where(Label.id.in_(latest), Ticket.id.not_in(unsettled))
        .order_by(Label.id)
    )
    return [VerifiedLabel(int(lid), int(tid), s or "", b or "", str(f), str(v), at)
            for lid, tid, s, b, f, v, at in rows]


def max_label_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Label.id))) or 0)


def labels_since(session: Session, label_id: int) -> int:
    return int(session.scalar(
        select(func.count(Label.id)).where(Label.id > label_id, Label.invalidated_at.is_(None))
    ) or 0)


# --- shadow predictions ---


@dataclass(frozen=True)
class ShadowPrediction:
    ticket_id: int
    decision: str
    latency_ms: float
    fields: list[dict[str, Any]]  # field, label, confidence, top, decision


def tickets_by_id(session: Session, ticket_ids: Sequence[int]) -> list[Ticket]:
    if not ticket_ids:
        return []
    return list(session.scalars(select(Ticket).where(Ticket.id.in_(list(ticket_ids)))
                                .order_by(Ticket.id)).unique())


def store_shadow_predictions(session: Session, version: str,
                             items: Sequence[ShadowPrediction]) -> int:
    """Prediction rows of `version` that leave the tickets as they are; a ticket that already
    has one from this version is skipped (a message delivered twice)."""
    ids = [i.ticket_id for i in items]
    if not ids:
        return 0
    done = set(session.scalars(select(Prediction.ticket_id).where(
        Prediction.ticket_id.in_(ids), Prediction.model_version == version)))
    todo = [i for i in items if i.ticket_id not in done]
    if not todo:
        return 0
    now = utcnow()
    prediction_ids = session.execute(
        insert(Prediction).returning(Prediction.id, sort_by_parameter_order=True),
        [{"ticket_id": i.ticket_id, "model_version": version, "decision": i.decision,
          "latency_ms": i.latency_ms, "created_at": now} for i in todo],
    ).scalars().all()
    session.execute(insert(FieldPrediction), [
        {"prediction_id": pid, **fo}
        for pid, item in zip(prediction_ids, todo, strict=True) for fo in item.fields
    ])
    return len(todo)


def shadow_agreement(session: Session, version: str) -> list[tuple[str, int, int, int]]:
    """(field, labelled tickets, shadow agrees with the label, live prediction agrees) over the
    tickets that have both a shadow prediction of `version` and a verified label."""
    latest = (select(func.max(Label.id)).where(Label.invalidated_at.is_(None))
              .group_by(Label.ticket_id, Label.field))
    shadow_p = aliased(Prediction)
    shadow_f = aliased(FieldPrediction)
    live_f = aliased(FieldPrediction)
    rows = session.execute(
        select(Label.field, func.count(Label.id),
               func.sum(case((shadow_f.label == Label.value, 1), else_=0)),
               func.sum(case((live_f.label == Label.value, 1), else_=0)))
        .select_from(Label)
        .join(Ticket, Ticket.id == Label.ticket_id)
        .join(shadow_p, and_(shadow_p.ticket_id == Label.ticket_id,
                             shadow_p.model_version == version,
                             shadow_p.id != Ticket.prediction_id))
        .join(shadow_f, and_(shadow_f.prediction_id == shadow_p.id,
                             shadow_f.field == Label.field))
        .join(live_f, and_(live_f.prediction_id == Ticket.prediction_id,
                           live_f.field == Label.field))
        .where(Label.id.in_(latest))
        .group_by(Label.field)
        .order_by(Label.field)
    )
    return [(str(f), int(n), int(s or 0), int(c or 0)) for f, n, s, c in rows]
