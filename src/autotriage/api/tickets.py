"""Ticket intake and reading, under /api/v1."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from sqlalchemy.orm import Session

from autotriage.api.deps import CurrentPrincipal, RuntimeDep, SessionDep
from autotriage.api.schemas import (
    BatchAccepted,
    ClassifyIn,
    ClassifyOut,
    TicketAccepted,
    TicketBatchIn,
    TicketDetail,
    TicketIn,
    TicketPage,
)
from autotriage.api.views import ticket_detail, ticket_out, triage_predictions
from autotriage.domain import intake
from autotriage.domain.triage import triage_texts
from autotriage.errors import InvalidInput, NotFound, PayloadTooLarge
from autotriage.ml.model import ticket_text
from autotriage.observability import events
from autotriage.queue import admission
from autotriage.runtime import Runtime
from autotriage.security.accounts import Principal
from autotriage.storage import repository, security_repository
from autotriage.storage.tables import Role, TicketStatus

router = APIRouter(prefix="/api/v1", tags=["tickets"])


@router.post("/tickets", status_code=status.HTTP_202_ACCEPTED, response_model=TicketAccepted)
def submit_ticket(
    payload: TicketIn,
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    session: SessionDep,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> TicketAccepted:
    """Accept a ticket for triage. A repeated `external_id` or `Idempotency-Key` returns the
    ticket stored the first time, with `duplicate: true`."""
    accepted = accept_one(runtime, session, request, payload.to_domain(), via="api",
                          principal=principal, idempotency_key=idempotency_key)
    response.headers["Location"] = accepted.status_url
    return accepted


def accept_one(
    runtime: Runtime,
    session: Session,
    request: Request,
    ticket: intake.NewTicket,
    *,
    via: str,
    principal: Principal | None = None,
    idempotency_key: str | None = None,
) -> TicketAccepted:
    """Accept one ticket the way every intake route does: refuse before storing when the queue
    cannot take it (503 + Retry-After), commit, then count and publish it; a duplicate returns
    the stored ticket's status."""
    admission.check_capacity(runtime.queue, runtime.settings)
    [accepted] = intake.submit(session, [ticket], max_chars=runtime.settings.max_text_chars,
                               idempotency_key=idempotency_key)
    if principal is not None:
        _record_submitter(session, principal, [accepted] if accepted.created else [])
    session.commit()
    if accepted.created:
        events.tickets_accepted([accepted.id], via=via)  # issue 7
        admission.publish_accepted(runtime.queue, [accepted.id])
        current_status = TicketStatus.RECEIVED
    else:
        stored = repository.get_ticket(session, accepted.id)
        assert stored is not None
        current_status = stored.status
    status_url = str(request.url_for("get_ticket", ticket_id=accepted.id))
    return TicketAccepted(id=accepted.id, status=current_status, status_url=status_url,
                          duplicate=not accepted.created)


@router.post("/tickets/batch", status_code=status.HTTP_202_ACCEPTED, response_model=BatchAccepted)
def submit_batch(payload: TicketBatchIn, runtime: RuntimeDep, session: SessionDep,
                 principal: CurrentPrincipal) -> BatchAccepted:
    """Accept up to `AUTOTRIAGE_MAX_BATCH_SIZE` tickets at once; one bad ticket rejects the
    whole batch and nothing is stored. Repeated external_ids return the existing tickets."""
    limit = runtime.settings.max_batch_size
    if len(payload.tickets) > limit:
        raise PayloadTooLarge(
            f"batch has {len(payload.tickets)} tickets, more than the limit of {limit}; "
            "split it into smaller batches"
        )
    admission.check_capacity(runtime.queue, runtime.settings)  # 503 + Retry-After (issue 6)
    accepted = intake.submit(session, [t.to_domain() for t in payload.tickets],
                             max_chars=runtime.settings.max_text_chars)
    _record_submitter(session, principal, [a for a in accepted if a.created])
    session.commit()
    new_ids = [a.id for a in accepted if a.created]
    if new_ids:
        events.tickets_accepted(new_ids, via="api_batch")  # issue 7
        admission.publish_accepted(runtime.queue, new_ids)
    return BatchAccepted(ids=[a.id for a in accepted],
                         duplicates=sum(1 for a in accepted if not a.created))


@router.get("/tickets/{ticket_id}", response_model=TicketDetail)
def get_ticket(ticket_id: int, session: SessionDep, principal: CurrentPrincipal) -> TicketDetail:
    ticket = repository.get_ticket(session, ticket_id)
    if ticket is None or not _may_read(session, principal, ticket_id):
        raise NotFound(f"no ticket with id {ticket_id}")
    return ticket_detail(ticket, repository.labels_for_ticket(session, ticket_id))


@router.get("/tickets", response_model=TicketPage)
def list_tickets(
    runtime: RuntimeDep,
    session: SessionDep,
    principal: CurrentPrincipal,
    status_: Annotated[str | None, Query(alias="status")] = None,
    decision: str | None = None,
    predicted: Annotated[
        list[str] | None,
        Query(description="`field:label`, e.g. `queue:billing`; repeat to combine"),
    ] = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    q: Annotated[str | None, Query(max_length=200, description="text in subject or body")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> TicketPage:
    settings = runtime.settings
    size = limit or settings.default_page_size
    if size > settings.max_page_size:
        raise InvalidInput(f"limit {size} is over the maximum page size {settings.max_page_size}")
    if status_ is not None and status_ not in TicketStatus.ALL:
        raise InvalidInput(f"unknown status {status_!r}; use one of {list(TicketStatus.ALL)}")
    pairs = []
    for item in predicted or []:
        field_name, sep, label = item.partition(":")
        if not sep or not field_name or not label:
            raise InvalidInput(f"predicted={item!r} must look like field:label, e.g. queue:billing")
        pairs.append((field_name, label))
    before_id = None
    if cursor is not None:
        if not cursor.isdigit():
            raise InvalidInput("cursor must be the next_cursor value of a previous page")
        before_id = int(cursor)
    filters = repository.TicketFilter(status_, decision, tuple(pairs), created_from, created_to, q,
                                      submitted_by=_own_only(principal))
    tickets = repository.list_tickets(session, filters, before_id=before_id, limit=size)
    next_cursor = str(tickets[-1].id) if len(tickets) == size else None
    return TicketPage(items=[ticket_out(t) for t in tickets], next_cursor=next_cursor, limit=size)


@router.post("/classify", response_model=ClassifyOut, tags=["classify"])
def classify(payload: ClassifyIn, runtime: RuntimeDep) -> ClassifyOut:
    """Predict synchronously; nothing is stored."""
    check = intake.NewTicket(payload.subject, payload.body)
    intake.check_ticket(check, runtime.settings.max_text_chars)
    started = time.perf_counter()
    model = runtime.models.model
    [triage] = triage_texts(model, runtime.policy(), [ticket_text(payload.subject, payload.body)])
    return ClassifyOut(
        decision=triage.decision.value,
        decision_reason=triage.reason,
        model_version=triage.model_version,
        predictions=triage_predictions(triage),
        latency_ms=(time.perf_counter() - started) * 1000,
    )


# security (issue 9): submitters see only the tickets they submitted (others' are "not found")
def _own_only(principal: Principal) -> int | None:
    return principal.user_id if principal.role == Role.SUBMITTER else None


def _may_read(session: Session, principal: Principal, ticket_id: int) -> bool:
    own = _own_only(principal)
    return own is None or security_repository.submitted_by(session, ticket_id, own)


def _record_submitter(session: Session, principal: Principal,
                      accepted: list[intake.Accepted]) -> None:
    if principal.user_id is not None and accepted:
        security_repository.record_submitter(session, [a.id for a in accepted],
                                             principal.user_id)
