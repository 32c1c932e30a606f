"""Tickets: a filtered, searchable, keyset-paginated list, and one ticket's full story
(predictions of every model, decision and why, labels, verdicts and the audit trail)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from autotriage.domain.decision import Decision
from autotriage.errors import InvalidInput, NotFound
from autotriage.storage import repository, review_repository
from autotriage.storage import ui_repository as repo
from autotriage.storage.tables import Role, TicketStatus
from autotriage.ui.deps import Viewer, render, require, runtime_of

router = APIRouter(include_in_schema=False)
PAGE = 50
DECISIONS = tuple(d.value for d in Decision)


def _filters(status: str, decision: str, q: str, label: str,
             field: str | None) -> repository.TicketFilter:
    if status and status not in TicketStatus.ALL:
        raise InvalidInput(f"unknown status {status!r}; use one of {list(TicketStatus.ALL)}")
    if decision and decision not in DECISIONS:
        raise InvalidInput(f"unknown decision {decision!r}; use one of {list(DECISIONS)}")
    return repository.TicketFilter(
        status=status or None, decision=decision or None, text=q.strip() or None,
        predicted=((field, label),) if label and field else (),
    )


@router.get("/tickets", response_class=HTMLResponse)
def ticket_list(
    request: Request, who: Annotated[Viewer, Depends(require(Role.REVIEWER))],
    status: str = "", decision: str = "", label: str = "",
    q: Annotated[str, Query(max_length=200)] = "",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    runtime = runtime_of(request)
    fields = runtime.fields()
    field = fields[0] if fields else None
    filters = _filters(status, decision, q, label, field)
    with runtime.sessions() as session:
        # One row more than a page says whether there is a next page without counting.
        rows = repository.list_tickets(session, filters, before_id=before, limit=PAGE + 1)
        tickets = rows[:PAGE]
        label_set = (runtime.models.model.classes(field)
                     if field and runtime.models.loaded else [])
        chosen = {"status": status, "decision": decision, "q": q, "label": label}
        kept = {k: v for k, v in chosen.items() if v}
        first_url = "/tickets?" + urlencode(kept)
        next_url = None
        if len(rows) > PAGE:
            next_url = "/tickets?" + urlencode({**kept, "before": tickets[-1].id})
        return render(request, "tickets.html", who, tickets=tickets, chosen=chosen,
                      statuses=TicketStatus.ALL, decisions=DECISIONS, field=field,
                      label_set=label_set, next_url=next_url, first_url=first_url,
                      first_page=before is None)


@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_page(ticket_id: int, request: Request,
                who: Annotated[Viewer, Depends(require(Role.REVIEWER))]) -> HTMLResponse:
    runtime = runtime_of(request)
    with runtime.sessions() as session:
        ticket = repository.get_ticket(session, ticket_id)
        if ticket is None:
            raise NotFound(f"no ticket with id {ticket_id}")
        return render(
            request, "ticket.html", who, ticket=ticket,
            predictions=repo.predictions_for_ticket(session, ticket_id),
            labels=repository.labels_for_ticket(session, ticket_id),
            audit=review_repository.audit_events(session, ticket_id=ticket_id, actor=None,
                                                 limit=200),
        )
