"""Outcomes of tickets as labels: agents' feedback and helpdesk resolutions, under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from autotriage.api.deps import CurrentUser, RuntimeDep, SessionDep
from autotriage.api.review_schemas import LabelsIn, LabelsWritten
from autotriage.domain import outcomes
from autotriage.domain.review import Actor
from autotriage.storage.tables import LabelSource, utcnow

router = APIRouter(prefix="/api/v1", tags=["feedback"])


@router.post("/tickets/{ticket_id}/feedback", response_model=LabelsWritten,
             status_code=status.HTTP_201_CREATED)
def submit_feedback(ticket_id: int, payload: LabelsIn, runtime: RuntimeDep, session: SessionDep,
                    user: CurrentUser) -> LabelsWritten:
    """An agent corrects fields of an auto-routed (or reviewed) ticket. Written as labels with
    source `feedback`; they count against the realized precision of auto-routing."""
    labels = outcomes.record_feedback(session, runtime.models.model, Actor(user, utcnow()),
                                      ticket_id, dict(payload.labels), payload.note)
    session.commit()
    return LabelsWritten(ticket_id=ticket_id, source=LabelSource.FEEDBACK, labels=labels,
                         written=True)


@router.post("/tickets/{ticket_id}/resolution", response_model=LabelsWritten,
             status_code=status.HTTP_201_CREATED,
             responses={200: {"description": "The same resolution was already stored."}})
def submit_resolution(ticket_id: int, payload: LabelsIn, response: Response,
                      runtime: RuntimeDep, session: SessionDep,
                      user: CurrentUser) -> LabelsWritten:
    """The final field values when the ticket closes (e.g. from a helpdesk). Written as labels
    with source `resolution`; repeating the latest resolution writes nothing (200)."""
    labels = dict(payload.labels)
    written = outcomes.record_resolution(session, runtime.models.model, Actor(user, utcnow()),
                                         ticket_id, labels)
    session.commit()
    if not written:
        response.status_code = status.HTTP_200_OK
    return LabelsWritten(ticket_id=ticket_id, source=LabelSource.RESOLUTION, labels=labels,
                         written=written)
