"""Helpdesk webhooks in, and the log of webhook deliveries out, under /api/v1/webhooks."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel

from autotriage.api.deps import RuntimeDep, SessionDep
from autotriage.api.schemas import TicketAccepted
from autotriage.api.tickets import accept_one
from autotriage.errors import InvalidInput
from autotriage.integrations import helpdesk, signatures
from autotriage.storage import integrations as store
from autotriage.storage.tables import DeliveryStatus

router = APIRouter(prefix="/api/v1/webhooks", tags=["integrations"])


async def raw_body(request: Request) -> bytes:
    # Signatures cover the exact bytes sent, so the body is read before any JSON parsing.
    return await request.body()


@router.post("/{source}", status_code=status.HTTP_202_ACCEPTED, response_model=TicketAccepted)
def receive_webhook(
    source: str,
    request: Request,
    body: Annotated[bytes, Depends(raw_body)],
    runtime: RuntimeDep,
    session: SessionDep,
) -> TicketAccepted:
    """A helpdesk's "ticket created" webhook (zendesk, freshdesk, jsm, or a source mapped in
    AUTOTRIAGE_WEBHOOK_MAPPINGS). 401 on a bad signature, 422 when mapped fields are missing;
    a repeated helpdesk ticket id returns the first ticket with `duplicate: true`."""
    secret = signatures.webhook_secret(runtime.settings, source)
    signatures.verify(source, secret, request.headers, body)
    try:
        payload: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"the webhook body is not valid JSON ({exc})") from exc
    ticket = helpdesk.to_ticket(source, payload, runtime.settings.webhook_mappings)
    return accept_one(runtime, session, request, ticket, via="webhook")


class DeliveryOut(BaseModel):
    id: int
    event_id: str
    event_type: str
    ticket_id: int | None
    url: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


@router.get("/deliveries", response_model=list[DeliveryOut])
def list_deliveries(
    session: SessionDep,
    status_: Annotated[str | None, Query(alias="status")] = None,
    ticket_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    """The outbound delivery log, newest first."""
    if status_ is not None and status_ not in DeliveryStatus.ALL:
        raise InvalidInput(f"unknown status {status_!r}; use one of {list(DeliveryStatus.ALL)}")
    rows = store.list_deliveries(session, status=status_, ticket_id=ticket_id, limit=limit)
    return [DeliveryOut.model_validate(row, from_attributes=True) for row in rows]
