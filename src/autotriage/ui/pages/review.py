"""Review queue, keyboard-first: the page lists the queue with each field's top three and
similar past tickets; the verdicts post through the review API (/api/v1/review/...)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from autotriage.domain import review_queue
from autotriage.domain.similar_tickets import SimilarTicket, similar_tickets
from autotriage.errors import NotFound
from autotriage.storage import repository
from autotriage.storage.tables import Role, utcnow
from autotriage.ui.deps import Viewer, render, require, runtime_of

router = APIRouter(include_in_schema=False)
PAGE = 25  # the informative order re-ranks 5x this many; a reviewer sees 25 at once


def _similar_view(found: list[SimilarTicket]) -> list[dict[str, Any]]:
    return [{"ticket_id": s.ticket_id, "subject": s.subject, "similarity": s.similarity,
             "labels": s.labels} for s in found]


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request, who: Annotated[Viewer, Depends(require(Role.REVIEWER))],
    order: Annotated[str, Query(pattern="^(informative|oldest|priority)$")] = "informative",
) -> HTMLResponse:
    runtime = runtime_of(request)
    settings = runtime.settings
    model = runtime.models.model if runtime.models.loaded else None
    query = review_queue.QueueQuery(
        statuses=("in_review", "escalated"), order=order, limit=PAGE, reviewer=who.username,
        now=utcnow(), priority_field=settings.review_priority_field,
        priority_ranking=settings.review_priority_ranking,
    )
    with runtime.sessions() as session:
        items = review_queue.list_queue(session, model, query)
        # The first ticket's neighbours come with the page; the rest when the reviewer moves.
        first = (_similar_view(similar_tickets(session, model, items[0].ticket))
                 if items else [])
        return render(request, "review.html", who, items=items, order=order,
                      fields=runtime.fields(), first_similar=first,
                      undo_minutes=settings.review_undo_window_seconds / 60,
                      bulk_limit=settings.review_bulk_limit)


@router.get("/review/similar/{ticket_id}")
def similar(ticket_id: int, request: Request,
            who: Annotated[Viewer, Depends(require(Role.REVIEWER))]) -> dict[str, Any]:
    """Labelled past tickets nearest to this one (TF-IDF cosine of the live model)."""
    runtime = runtime_of(request)
    model = runtime.models.model if runtime.models.loaded else None
    with runtime.sessions() as session:
        ticket = repository.get_ticket(session, ticket_id)
        if ticket is None:
            raise NotFound(f"no ticket with id {ticket_id}")
        return {"ticket_id": ticket_id,
                "similar": _similar_view(similar_tickets(session, model, ticket))}
