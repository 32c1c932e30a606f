"""The review workflow under /api/v1/review: queue, claim, verdicts, bulk, undo, double review,
agreement, adjudication, label-error candidates, outcome figures and the audit trail.

Who acts comes from `CurrentUser` (the `X-User` header until users and roles exist).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from autotriage.api.deps import CurrentUser, RuntimeDep, SessionDep
from autotriage.api.review_schemas import (
    AgreementOut,
    AuditOut,
    AuditPage,
    BulkVerdictIn,
    ClaimIn,
    ClaimOut,
    CountIn,
    DoubleReviewOut,
    DoubleReviewsOut,
    LabelIssuesOut,
    Order,
    OutcomesOut,
    QueueItemOut,
    QueueOut,
    QueueStatus,
    ReleaseOut,
    RequeueIn,
    TicketIdsIn,
    VerdictIn,
    VerdictOut,
    VerdictsOut,
)
from autotriage.api.views import ticket_out
from autotriage.domain import label_quality, outcomes, review, review_queue
from autotriage.errors import InvalidInput, PayloadTooLarge
from autotriage.runtime import Runtime
from autotriage.storage import review_repository as repo
from autotriage.storage.tables import DoubleReview, DoubleReviewStatus, ReviewVerdict, utcnow

router = APIRouter(prefix="/api/v1/review", tags=["review"])
CLAIM_ROUNDS = 5


def _actor(user: str) -> review.Actor:
    return review.Actor(user, utcnow())


def _statuses(status: str | None) -> tuple[str, ...]:
    return (status,) if status else review.REVIEWABLE


def _page_size(runtime: Runtime, limit: int | None) -> int:
    size = limit or runtime.settings.default_page_size
    if size > runtime.settings.max_page_size:
        raise InvalidInput(f"limit {size} is over the maximum page size "
                           f"{runtime.settings.max_page_size}")
    return size


def _queue_query(runtime: Runtime, user: str, order: str, status: str | None,
                 limit: int, *, include_own: bool = True) -> review_queue.QueueQuery:
    settings = runtime.settings
    return review_queue.QueueQuery(
        statuses=_statuses(status), order=order, limit=limit, reviewer=user, now=utcnow(),
        priority_field=settings.review_priority_field,
        priority_ranking=settings.review_priority_ranking, include_own=include_own,
    )


@router.get("/queue", response_model=QueueOut)
def list_queue(
    runtime: RuntimeDep, session: SessionDep, user: CurrentUser,
    order: Order = "informative",
    status: QueueStatus | None = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> QueueOut:
    """Tickets waiting for review that nobody else holds. `informative`: most uncertain first,
    near-duplicates pushed down; `oldest`; `priority`: by the predicted priority label."""
    query = _queue_query(runtime, user, order, status, _page_size(runtime, limit))
    model = runtime.models.model if runtime.models.loaded else None
    items = review_queue.list_queue(session, model, query)
    return QueueOut(
        items=[QueueItemOut(ticket=ticket_out(i.ticket), uncertainty=i.uncertainty,
                            lease_owner=i.ticket.review_lease_owner,
                            lease_until=i.ticket.review_lease_until) for i in items],
        total=repo.count_queue(session, query.statuses, now=query.now, reviewer=user),
        order=order,
    )


@router.post("/claim", response_model=ClaimOut)
def claim(payload: ClaimIn, runtime: RuntimeDep, session: SessionDep,
          user: CurrentUser) -> ClaimOut:
    """Lease tickets for `AUTOTRIAGE_REVIEW_LEASE_SECONDS`: the given `ticket_ids`, or `count`
    from the top of the queue. Claiming one's own ticket again renews the lease. Two reviewers
    never hold the same ticket; an expired lease puts the ticket back in the queue."""
    actor, lease = _actor(user), runtime.settings.review_lease_seconds
    if payload.ticket_ids is not None:
        _check_bulk(runtime, payload.ticket_ids)
        won, until = review.claim(session, actor, payload.ticket_ids, lease)
    else:
        won, until = _claim_from_queue(runtime, session, user, payload)
    session.commit()
    tickets = repo.tickets_by_id(session, won)
    requested = payload.ticket_ids or []
    return ClaimOut(claimed=won, unavailable=sorted(set(requested) - set(won)), lease_until=until,
                    tickets=[ticket_out(tickets[i]) for i in won])


def _claim_from_queue(runtime: Runtime, session: SessionDep, user: str,
                      payload: ClaimIn) -> tuple[list[int], datetime]:
    _check_bulk(runtime, range(payload.count))
    model = runtime.models.model if runtime.models.loaded else None
    won: list[int] = []
    until: datetime | None = None
    # Another reviewer may win some of the candidates between listing and claiming; try again.
    for _ in range(CLAIM_ROUNDS):
        wanted = payload.count - len(won)
        query = _queue_query(runtime, user, payload.order, payload.status, wanted,
                             include_own=False)
        ids = [i.ticket.id for i in review_queue.list_queue(session, model, query)]
        if not ids:
            break
        session.commit()  # end the listing's read before the claim's write (SQLite snapshots)
        got, until = review.claim(session, _actor(user), ids, runtime.settings.review_lease_seconds)
        won.extend(got)
        if len(won) >= payload.count:
            break
    if until is None:
        until = utcnow()
    return sorted(won), until


@router.post("/release", response_model=ReleaseOut)
def release(payload: TicketIdsIn, session: SessionDep, user: CurrentUser) -> ReleaseOut:
    """Give claimed tickets back to the queue before the lease ends."""
    released = repo.release_tickets(session, payload.ticket_ids, user)
    session.commit()
    return ReleaseOut(released=released)


def _verdict_out(v: ReviewVerdict) -> VerdictOut:
    return VerdictOut(id=v.id, ticket_id=v.ticket_id, reviewer=v.reviewer, action=v.action,
                      round=v.round, labels=v.label_values, from_status=v.prev_status,
                      to_status=v.new_status, created_at=v.created_at, undone_at=v.undone_at)


def _check_bulk(runtime: Runtime, ticket_ids: object) -> None:
    limit = runtime.settings.review_bulk_limit
    n = len(ticket_ids)  # type: ignore[arg-type]
    if n > limit:
        raise PayloadTooLarge(f"{n} tickets at once, more than AUTOTRIAGE_REVIEW_BULK_LIMIT "
                              f"({limit}); split the selection")


def _apply(runtime: Runtime, session: SessionDep, user: str, ticket_ids: list[int],
           payload: VerdictIn) -> VerdictsOut:
    verdict = review.Verdict(payload.action, dict(payload.labels), payload.note)
    rows = review.apply_verdict(session, runtime.models.model, _actor(user), ticket_ids, verdict,
                                double_share=runtime.settings.review_double_share)
    session.commit()
    return VerdictsOut(verdicts=[_verdict_out(v) for v in rows])


@router.post("/tickets/{ticket_id}/verdict", response_model=VerdictOut, status_code=201)
def submit_verdict(ticket_id: int, payload: VerdictIn, runtime: RuntimeDep, session: SessionDep,
                   user: CurrentUser) -> VerdictOut:
    """Accept, correct (labels only from each field's label set, else 422), reject as
    out_of_scope/spam, or escalate. Writes labels (source `review`) and an audit event and
    moves the ticket on. 409 when it already has a verdict or someone else holds it."""
    return _apply(runtime, session, user, [ticket_id], payload).verdicts[0]


@router.post("/bulk", response_model=VerdictsOut, status_code=201)
def submit_bulk(payload: BulkVerdictIn, runtime: RuntimeDep, session: SessionDep,
                user: CurrentUser) -> VerdictsOut:
    """One verdict for up to `AUTOTRIAGE_REVIEW_BULK_LIMIT` tickets, all or nothing (409 names
    every ticket that cannot take it). Undo reverts the whole bulk."""
    _check_bulk(runtime, payload.ticket_ids)
    if len(set(payload.ticket_ids)) != len(payload.ticket_ids):
        raise InvalidInput("ticket_ids has repeated ids; list each ticket once")
    return _apply(runtime, session, user, payload.ticket_ids, payload)


@router.post("/undo", response_model=VerdictsOut)
def undo(runtime: RuntimeDep, session: SessionDep, user: CurrentUser) -> VerdictsOut:
    """Undo your last verdict (a whole bulk) within `AUTOTRIAGE_REVIEW_UNDO_WINDOW_SECONDS`:
    its labels are invalidated (kept for the audit trail), its tickets return to the queue."""
    rows = review.undo_last(session, _actor(user), runtime.settings.review_undo_window_seconds)
    session.commit()
    return VerdictsOut(verdicts=[_verdict_out(v) for v in rows])


@router.get("/label-sets", response_model=dict[str, list[str]])
def label_sets(runtime: RuntimeDep, session: SessionDep) -> dict[str, list[str]]:
    """The labels a verdict may give per field: the champion's classes plus verified ones."""
    return review.label_sets(session, runtime.models.model)


@router.get("/outcomes", response_model=OutcomesOut)
def outcome_figures(session: SessionDep) -> OutcomesOut:
    """Per field and predicted class: coverage of auto-routing, acceptance and override rates of
    suggestions in review, realized precision of auto-routing from feedback and resolutions."""
    return OutcomesOut.model_validate(outcomes.outcome_figures(session))


def _double_out(session: SessionDep, d: DoubleReview) -> DoubleReviewOut:
    verdicts = repo.verdicts_by_id(session, [d.first_verdict_id, d.second_verdict_id or 0])
    blind = d.status == DoubleReviewStatus.PENDING
    first, second = verdicts.get(d.first_verdict_id), verdicts.get(d.second_verdict_id or 0)
    ticket = repo.tickets_by_id(session, [d.ticket_id])[d.ticket_id]
    return DoubleReviewOut(
        id=d.id, ticket=ticket_out(ticket), status=d.status, first_reviewer=d.first_reviewer,
        second_reviewer=d.second_reviewer,
        first_labels=None if blind or first is None else first.label_values,
        second_labels=second.label_values if second else None, created_at=d.created_at,
    )


@router.get("/double-reviews", response_model=DoubleReviewsOut)
def list_double_reviews(
    runtime: RuntimeDep, session: SessionDep, user: CurrentUser,
    status: str = DoubleReviewStatus.PENDING,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> DoubleReviewsOut:
    """Double reviews by status. `pending` lists those you may take (not your own first
    verdicts, not held by someone else); `conflict` lists those waiting for adjudication."""
    if status not in DoubleReviewStatus.ALL:
        raise InvalidInput(f"unknown status {status!r}; use one of {DoubleReviewStatus.ALL}")
    exclude = user if status == DoubleReviewStatus.PENDING else None
    rows = repo.double_reviews(session, status=status, exclude_reviewer=exclude, now=utcnow(),
                               limit=_page_size(runtime, limit))
    return DoubleReviewsOut(items=[_double_out(session, d) for d in rows])


@router.post("/double-reviews/claim", response_model=DoubleReviewsOut)
def claim_double_reviews(payload: CountIn, runtime: RuntimeDep, session: SessionDep,
                         user: CurrentUser) -> DoubleReviewsOut:
    """Lease pending second reviews (never your own first verdicts)."""
    _check_bulk(runtime, range(payload.count))
    rows = label_quality.claim_second(session, _actor(user), payload.count,
                                      runtime.settings.review_lease_seconds)
    session.commit()
    return DoubleReviewsOut(items=[_double_out(session, d) for d in rows])


@router.post("/double-reviews/{review_id}/verdict", response_model=DoubleReviewOut)
def second_verdict(review_id: int, payload: VerdictIn, runtime: RuntimeDep, session: SessionDep,
                   user: CurrentUser) -> DoubleReviewOut:
    """The independent second verdict (a different reviewer); it writes no labels. Agreement
    closes the double review, a disagreement waits for adjudication."""
    verdict = review.Verdict(payload.action, dict(payload.labels), payload.note)
    row = label_quality.second_verdict(session, runtime.models.model, _actor(user), review_id,
                                       verdict)
    session.commit()
    return _double_out(session, row)


@router.post("/double-reviews/{review_id}/adjudicate", response_model=DoubleReviewOut)
def adjudicate(review_id: int, payload: VerdictIn, runtime: RuntimeDep, session: SessionDep,
               user: CurrentUser) -> DoubleReviewOut:
    """Settle a conflict: the adjudicated values replace the first verdict's labels."""
    verdict = review.Verdict(payload.action, dict(payload.labels), payload.note)
    row = label_quality.adjudicate(session, runtime.models.model, _actor(user), review_id,
                                   verdict)
    session.commit()
    return _double_out(session, row)


@router.get("/agreement", response_model=AgreementOut)
def agreement(runtime: RuntimeDep, session: SessionDep) -> AgreementOut:
    """Cohen's kappa and observed agreement per reviewer and field over double reviews."""
    fields = runtime.models.model.fields if runtime.models.loaded else runtime.settings.label_fields
    return AgreementOut.model_validate(label_quality.agreement(session, fields))


@router.get("/label-issues", response_model=LabelIssuesOut)
def label_issues(
    runtime: RuntimeDep, session: SessionDep, field: str,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> LabelIssuesOut:
    """Verified labels that out-of-sample confident learning (cleanlab) flags as likely wrong,
    most likely first; send them back with POST /review/requeue."""
    found = label_quality.find_label_issues(session, runtime.models.model, field, limit)
    return LabelIssuesOut.model_validate(found)


@router.post("/requeue", response_model=TicketIdsIn)
def requeue(payload: RequeueIn, runtime: RuntimeDep, session: SessionDep,
            user: CurrentUser) -> TicketIdsIn:
    """Send finished tickets back to the review queue for re-review."""
    _check_bulk(runtime, payload.ticket_ids)
    moved = label_quality.requeue(session, _actor(user), payload.ticket_ids, payload.reason)
    session.commit()
    return TicketIdsIn(ticket_ids=moved)


@router.get("/audit", response_model=AuditPage)
def audit_trail(
    runtime: RuntimeDep, session: SessionDep, ticket_id: int | None = None,
    actor: str | None = None, limit: Annotated[int | None, Query(ge=1)] = None,
) -> AuditPage:
    """The audit trail, newest first, optionally for one ticket or one actor."""
    rows = repo.audit_events(session, ticket_id=ticket_id, actor=actor,
                             limit=_page_size(runtime, limit))
    return AuditPage(items=[AuditOut(id=e.id, ticket_id=e.ticket_id, actor=e.actor,
                                     action=e.action, details=e.details,
                                     created_at=e.created_at) for e in rows])
