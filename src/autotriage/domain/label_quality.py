"""Label quality: double review of a sampled share of verdicts, agreement per reviewer
(Cohen's kappa), adjudication of conflicts, and label-error candidates for re-review."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sklearn.metrics import cohen_kappa_score
from sqlalchemy.orm import Session

from autotriage.domain.review import (
    FINISHED,
    STATUS_AFTER,
    Actor,
    Verdict,
    check_labels,
    verdict_values,
)
from autotriage.errors import Conflict, InvalidInput, NotFound
from autotriage.ml import label_issues
from autotriage.ml.model import TriageModel, ticket_text
from autotriage.storage import repository
from autotriage.storage import review_repository as repo
from autotriage.storage.tables import (
    DoubleReview,
    DoubleReviewStatus,
    LabelSource,
    ReviewVerdict,
    TicketStatus,
    VerdictAction,
    VerdictRound,
)

SECOND_ACTIONS = (VerdictAction.ACCEPT, VerdictAction.CORRECT, VerdictAction.OUT_OF_SCOPE,
                  VerdictAction.SPAM)
MIN_ISSUE_ROWS = 10


def _stated(verdict: ReviewVerdict, fields: Sequence[str]) -> dict[str, str]:
    """What a verdict says per field; a rejection says the same thing ('spam', ...) for all."""
    if verdict.label_values:
        return {f: str(verdict.label_values.get(f, "")) for f in fields}
    return dict.fromkeys(fields, verdict.action)


def claim_second(session: Session, actor: Actor, count: int,
                 lease_seconds: float) -> list[DoubleReview]:
    candidates = repo.double_reviews(session, status=DoubleReviewStatus.PENDING,
                                     exclude_reviewer=actor.name, now=actor.now, limit=count)
    won = repo.claim_double_reviews(session, [d.id for d in candidates], reviewer=actor.name,
                                    now=actor.now,
                                    until=actor.now + timedelta(seconds=lease_seconds))
    return [d for d in candidates if d.id in won]


def second_verdict(session: Session, model: TriageModel, actor: Actor, review_id: int,
                   verdict: Verdict) -> DoubleReview:
    """Record an independent second verdict; it writes no labels, it measures agreement. A
    disagreement waits for adjudication."""
    review, ticket = _review_and_ticket(session, review_id)
    if verdict.action not in SECOND_ACTIONS:
        raise InvalidInput(f"a second review is one of {SECOND_ACTIONS}")
    check_labels(session, model, verdict.labels)
    values = verdict_values(verdict, ticket)
    if review.first_reviewer == actor.name:
        raise Conflict("the second review must come from a different reviewer than the first")
    first = repo.verdicts_by_id(session, [review.first_verdict_id])[review.first_verdict_id]
    row = repo.add_verdict(
        session, ticket_id=ticket.id, reviewer=actor.name, action=verdict.action,
        round=VerdictRound.SECOND, label_values=values, batch=f"second-{review.id}",
        prev_status=ticket.status, new_status=ticket.status, note=verdict.note,
        created_at=actor.now,
    )
    fields = sorted(set(values) | set(first.label_values))
    # "accept" and "correct" to the same values agree: the labels are what counts.
    agreed = _stated(first, fields) == _stated(row, fields)
    status = DoubleReviewStatus.AGREED if agreed else DoubleReviewStatus.CONFLICT
    if not repo.complete_double_review(session, review.id, reviewer=actor.name, now=actor.now,
                                       values={"second_verdict_id": row.id, "status": status}):
        raise Conflict(f"double review {review.id} is no longer waiting for you (status "
                       f"{review.status}, claimed by {review.lease_owner or 'nobody'})")
    repo.audit(session, ticket_id=ticket.id, actor=actor.name, action="review.second",
               details={"double_review_id": review.id, "verdict_id": row.id, "labels": values,
                        "action": verdict.action, "result": status}, now=actor.now)
    session.refresh(review)
    return review


def adjudicate(session: Session, model: TriageModel, actor: Actor, review_id: int,
               verdict: Verdict) -> DoubleReview:
    """Settle a conflict: the first verdict's labels are invalidated, the adjudicated values
    become the ticket's labels and its status follows the adjudicated action."""
    review, ticket = _review_and_ticket(session, review_id)
    if review.status != DoubleReviewStatus.CONFLICT:
        raise Conflict(f"double review {review_id} is {review.status}; only conflicts are "
                       "adjudicated")
    if verdict.action not in SECOND_ACTIONS:
        raise InvalidInput(f"an adjudication is one of {SECOND_ACTIONS}")
    check_labels(session, model, verdict.labels)
    values = verdict_values(verdict, ticket)
    new_status = STATUS_AFTER[verdict.action]
    row = repo.add_verdict(
        session, ticket_id=ticket.id, reviewer=actor.name, action=verdict.action,
        round=VerdictRound.ADJUDICATION, label_values=values, batch=f"adjudication-{review.id}",
        prev_status=ticket.status, new_status=new_status, note=verdict.note,
        created_at=actor.now,
    )
    if not repo.finish_adjudication(session, review.id, row.id, actor.now):
        raise Conflict(f"double review {review_id} was adjudicated meanwhile")
    repo.undo_verdicts(session, [review.first_verdict_id], actor.now)
    repo.add_labels(session, ticket.id, values, source=LabelSource.REVIEW, actor=actor.name,
                    now=actor.now, verdict_id=row.id)
    repo.restore_ticket(session, ticket.id, expect_status=ticket.status, to_status=new_status,
                        now=actor.now)
    repo.audit(session, ticket_id=ticket.id, actor=actor.name, action="review.adjudicate",
               details={"double_review_id": review.id, "verdict_id": row.id, "labels": values,
                        "action": verdict.action, "to": new_status}, now=actor.now)
    session.refresh(review)
    return review


def _review_and_ticket(session: Session, review_id: int) -> tuple[DoubleReview, Any]:
    review = repo.get_double_review(session, review_id)
    if review is None:
        raise NotFound(f"no double review with id {review_id}")
    ticket = repository.get_ticket(session, review.ticket_id)
    assert ticket is not None  # the foreign key cascades
    return review, ticket


def agreement(session: Session, fields: Sequence[str]) -> dict[str, Any]:
    """Cohen's kappa per reviewer and field over every completed double review the reviewer
    took part in (first or second), plus the overall figure per field."""
    pairs: dict[str, dict[str, tuple[list[str], list[str]]]] = defaultdict(
        lambda: {f: ([], []) for f in fields})
    for first, second in repo.completed_double_reviews(session):
        a, b = _stated(first, fields), _stated(second, fields)
        for who in ("*", first.reviewer, second.reviewer):
            for name in fields:
                pairs[who][name][0].append(a[name])
                pairs[who][name][1].append(b[name])
    figures = {who: {name: _kappa(*ab) for name, ab in per.items()}
               for who, per in pairs.items()}
    overall = figures.pop("*", {name: _kappa([], []) for name in fields})
    return {"overall": overall, "reviewers": dict(sorted(figures.items()))}


def _kappa(a: list[str], b: list[str]) -> dict[str, Any]:
    agree = sum(x == y for x, y in zip(a, b, strict=True))
    # Kappa is undefined when both reviewers used one single label throughout.
    kappa = float(cohen_kappa_score(a, b)) if len(set(a) | set(b)) > 1 else None
    return {"n": len(a), "observed_agreement": agree / len(a) if a else None, "kappa": kappa}


def find_label_issues(session: Session, model: TriageModel, field: str,
                      limit: int) -> dict[str, Any]:
    if field not in model.fields:
        raise InvalidInput(f"unknown field {field!r}; the fields are {list(model.fields)}")
    rows = repo.verified_labels(session, field)
    keep = label_issues.scorable([r.value for r in rows])
    rows = [rows[i] for i in keep]
    if len(rows) < MIN_ISSUE_ROWS or len({r.value for r in rows}) < 2:
        raise Conflict(f"field {field!r} has {len(rows)} usable verified labels; label-error "
                       f"search needs at least {MIN_ISSUE_ROWS} over two or more classes "
                       f"(each class at least {label_issues.MIN_PER_CLASS} times)")
    features = model.features.transform([ticket_text(r.subject, r.body) for r in rows])
    issues = label_issues.find_issues(features, [r.value for r in rows])
    return {
        "field": field,
        "scored": len(rows),
        "candidates": [
            {"ticket_id": rows[i.index].ticket_id, "given": i.given, "source": rows[i.index].source,
             "suggested": i.suggested, "self_confidence": i.self_confidence,
             "suggested_confidence": i.suggested_confidence}
            for i in issues[:limit]
        ],
        "total_candidates": len(issues),
    }


def requeue(session: Session, actor: Actor, ticket_ids: Sequence[int], reason: str) -> list[int]:
    """Send finished tickets back to the review queue; their labels stay until a new verdict
    supersedes them (the latest valid label of a field is the one that counts)."""
    moved = []
    for ticket_id in ticket_ids:
        ticket = repository.get_ticket(session, ticket_id)
        if ticket is None:
            raise NotFound(f"no ticket with id {ticket_id}")
        if ticket.status not in (*FINISHED, TicketStatus.AUTO_ROUTED):
            raise Conflict(f"ticket {ticket_id} is {ticket.status}; only finished tickets can "
                           "be sent back for re-review")
        repo.restore_ticket(session, ticket_id, expect_status=ticket.status,
                            to_status=TicketStatus.IN_REVIEW, now=actor.now)
        repo.audit(session, ticket_id=ticket_id, actor=actor.name, action="review.requeue",
                   details={"from": ticket.status, "reason": reason}, now=actor.now)
        moved.append(ticket_id)
    return moved
