"""Review verdicts: claim, accept/correct/reject/escalate, bulk, undo.

A verdict turns a ticket's suggestion into verified labels (source `review`, the reviewer, the
time and the verdict's id), writes an audit event and moves the ticket on. The status change is
one conditional UPDATE, so of two concurrent verdicts on one ticket exactly one wins and the
other gets a 409. The caller commits.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from autotriage.errors import Conflict, InvalidInput, NotFound
from autotriage.ml.model import TriageModel
from autotriage.storage import review_repository as repo
from autotriage.storage.tables import (
    DoubleReviewStatus,
    LabelSource,
    ReviewVerdict,
    Ticket,
    TicketStatus,
    VerdictAction,
    VerdictRound,
)

REVIEWABLE = (TicketStatus.IN_REVIEW, TicketStatus.ESCALATED)
FINISHED = (TicketStatus.REVIEWED, TicketStatus.REJECTED)
STATUS_AFTER = {
    VerdictAction.ACCEPT: TicketStatus.REVIEWED,
    VerdictAction.CORRECT: TicketStatus.REVIEWED,
    VerdictAction.OUT_OF_SCOPE: TicketStatus.REJECTED,
    VerdictAction.SPAM: TicketStatus.REJECTED,
    VerdictAction.ESCALATE: TicketStatus.ESCALATED,
}


@dataclass(frozen=True)
class Verdict:
    action: str
    labels: dict[str, str] = field(default_factory=dict)
    note: str | None = None


@dataclass(frozen=True)
class Actor:
    name: str
    now: datetime


def as_utc(moment: datetime) -> datetime:
    # SQLite hands datetimes back without a zone; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def label_sets(session: Session, model: TriageModel) -> dict[str, list[str]]:
    """Per field, the labels a reviewer may give: the champion's classes plus values already
    verified for that field (a class the live model does not know yet stays usable)."""
    known = model.info.get("label_sets") or {}
    sets = {}
    for name in model.fields:
        values = set(known.get(name) or model.classes(name)) | repo.verified_values(session, name)
        sets[name] = sorted(values)
    return sets


def check_labels(session: Session, model: TriageModel, labels: dict[str, str]) -> None:
    sets = label_sets(session, model)
    for name, value in labels.items():
        if name not in sets:
            raise InvalidInput(f"unknown field {name!r}; the fields are {sorted(sets)}")
        if value not in sets[name]:
            raise InvalidInput(
                f"{value!r} is not a label of field {name!r}; use one of {sets[name]}"
            )


def suggestion(ticket: Ticket) -> dict[str, str]:
    prediction = ticket.prediction
    return {fp.field: fp.label for fp in prediction.fields} if prediction else {}


def verdict_values(verdict: Verdict, ticket: Ticket) -> dict[str, str]:
    """The field values a verdict states: the suggestion, with corrections laid over it."""
    if verdict.action not in VerdictAction.ALL:
        raise InvalidInput(f"unknown action {verdict.action!r}; use one of {VerdictAction.ALL}")
    if verdict.action == VerdictAction.CORRECT:
        if not verdict.labels:
            raise InvalidInput("action 'correct' needs `labels`, e.g. {\"queue\": \"billing\"}")
        return {**suggestion(ticket), **verdict.labels}
    if verdict.labels:
        raise InvalidInput(f"action {verdict.action!r} takes no `labels`; use 'correct'")
    return suggestion(ticket) if verdict.action == VerdictAction.ACCEPT else {}


def claim(session: Session, actor: Actor, ticket_ids: Sequence[int],
          lease_seconds: float) -> tuple[list[int], datetime]:
    until = actor.now + timedelta(seconds=lease_seconds)
    won = repo.claim_tickets(session, ticket_ids, REVIEWABLE, reviewer=actor.name,
                             now=actor.now, until=until)
    if won:
        repo.audit(session, ticket_id=None, actor=actor.name, action="review.claim",
                   details={"ticket_ids": won, "until": until.isoformat()}, now=actor.now)
    return won, until


def apply_verdict(
    session: Session, model: TriageModel, actor: Actor, ticket_ids: Sequence[int],
    verdict: Verdict, *, double_share: float,
) -> list[ReviewVerdict]:
    """Apply one verdict to every ticket of `ticket_ids`, all or nothing."""
    check_labels(session, model, verdict.labels)
    tickets = repo.tickets_by_id(session, ticket_ids)
    missing = sorted(set(ticket_ids) - set(tickets))
    if missing:
        raise NotFound(f"no ticket with id {missing[0]}" if len(missing) == 1
                       else f"no tickets with ids {missing}")
    batch = str(uuid.uuid4())
    written, refused = [], []
    # In id order, so two concurrent bulks lock rows in the same order (no deadlock).
    for ticket_id in sorted(ticket_ids):
        ticket = tickets[ticket_id]
        values = verdict_values(verdict, ticket)
        prev, new = ticket.status, STATUS_AFTER[verdict.action]
        from_statuses = (TicketStatus.IN_REVIEW,) if new == TicketStatus.ESCALATED else REVIEWABLE
        if not repo.move_ticket(session, ticket_id, from_statuses=from_statuses, to_status=new,
                                reviewer=actor.name, now=actor.now):
            refused.append(_why_refused(session, ticket, actor))
            continue
        written.append(_record(session, actor, ticket_id, verdict, values, batch, prev, new,
                               double_share))
    if refused:
        raise Conflict("; ".join(refused), details={"refused": refused})
    return written


def _record(
    session: Session, actor: Actor, ticket_id: int, verdict: Verdict, values: dict[str, str],
    batch: str, prev: str, new: str, double_share: float,
) -> ReviewVerdict:
    row = repo.add_verdict(
        session, ticket_id=ticket_id, reviewer=actor.name, action=verdict.action,
        round=VerdictRound.FIRST, label_values=values, batch=batch, prev_status=prev,
        new_status=new, note=verdict.note, created_at=actor.now,
    )
    repo.add_labels(session, ticket_id, values, source=LabelSource.REVIEW, actor=actor.name,
                    now=actor.now, verdict_id=row.id)
    sampled = bool(values) and selected_for_double_review(ticket_id, double_share)
    if sampled:
        repo.add_double_review(session, row, actor.now)
    repo.audit(session, ticket_id=ticket_id, actor=actor.name, action="review.verdict",
               details={"verdict_id": row.id, "action": verdict.action, "labels": values,
                        "from": prev, "to": new, "double_review": sampled, "batch": batch},
               now=actor.now)
    return row


def _why_refused(session: Session, ticket: Ticket, actor: Actor) -> str:
    repo.refresh(session, ticket)
    if ticket.status in FINISHED:
        return (f"ticket {ticket.id} already has a verdict (status {ticket.status}); undo it "
                "within the undo window or leave it")
    until = ticket.review_lease_until
    if ticket.review_lease_owner not in (None, actor.name) and until is not None \
            and as_utc(until) > actor.now:
        return (f"ticket {ticket.id} is claimed by {ticket.review_lease_owner} until "
                f"{as_utc(until).isoformat()}; take another ticket")
    if ticket.status == TicketStatus.ESCALATED:
        return f"ticket {ticket.id} is already escalated"
    return f"ticket {ticket.id} is not waiting for review (status {ticket.status})"


def selected_for_double_review(ticket_id: int, share: float) -> bool:
    # Deterministic per ticket (reproducible, no RNG state) yet spread like a random draw.
    digest = hashlib.sha256(f"autotriage-double-review:{ticket_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def undo_last(session: Session, actor: Actor, window_seconds: float) -> list[ReviewVerdict]:
    """Undo the actor's most recent verdict (all tickets of a bulk verdict): its labels are
    invalidated (kept for the audit trail) and its tickets return to the queue."""
    batch = repo.last_verdict_batch(session, actor.name)
    if not batch:
        raise NotFound(f"{actor.name} has no verdict to undo")
    if batch[0].round != VerdictRound.FIRST:
        raise Conflict("your last verdict was a second review or an adjudication; those "
                       "cannot be undone")
    age = (actor.now - as_utc(batch[0].created_at)).total_seconds()
    if age > window_seconds:
        raise Conflict(f"your last verdict was {age:.0f} s ago; verdicts can be undone for "
                       f"{window_seconds:.0f} s only")
    doubles = repo.double_reviews_of(session, [v.id for v in batch])
    if any(d.status != DoubleReviewStatus.PENDING for d in doubles) or any(
        repo.later_verdicts_exist(session, v) for v in batch
    ):
        raise Conflict("a later verdict or a second review builds on your verdict; it can no "
                       "longer be undone")
    repo.undo_verdicts(session, [v.id for v in batch], actor.now)
    repo.set_double_review_status(session, [d.id for d in doubles],
                                  DoubleReviewStatus.CANCELLED, actor.now)
    for verdict in batch:
        if not repo.restore_ticket(session, verdict.ticket_id, expect_status=verdict.new_status,
                                   to_status=verdict.prev_status, now=actor.now):
            raise Conflict(f"ticket {verdict.ticket_id} has moved on since your verdict; it "
                           "can no longer be undone")
        repo.audit(session, ticket_id=verdict.ticket_id, actor=actor.name, action="review.undo",
                   details={"verdict_id": verdict.id, "to": verdict.prev_status},
                   now=actor.now)
    return batch
