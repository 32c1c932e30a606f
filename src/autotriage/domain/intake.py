"""Ticket intake: check what arrives, store it once (idempotently), report what was stored.

The caller commits and only then publishes the new ids to the queue, so a published id always
refers to a committed ticket.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from autotriage.errors import InvalidInput, PayloadTooLarge
from autotriage.storage import repository


@dataclass(frozen=True)
class NewTicket:
    subject: str
    body: str
    sender: str | None = None
    channel: str | None = None
    external_id: str | None = None
    metadata: dict[str, Any] | None = None


@dataclass(frozen=True)
class Accepted:
    id: int
    created: bool  # False when an earlier submission with the same key is returned


def check_ticket(ticket: NewTicket, max_chars: int, where: str = "ticket") -> None:
    if not (ticket.subject.strip() or ticket.body.strip()):
        raise InvalidInput(f"{where}: subject and body are both empty; send the ticket's text")
    if not ticket.body.strip():
        raise InvalidInput(f"{where}: body is empty or only whitespace; send the ticket's text")
    for name in ("subject", "body"):
        length = len(getattr(ticket, name))
        if length > max_chars:
            raise PayloadTooLarge(
                f"{where}: {name} has {length} characters, more than the limit of {max_chars}; "
                "shorten it or raise AUTOTRIAGE_MAX_TEXT_CHARS"
            )


def submit(
    session: Session,
    tickets: Sequence[NewTicket],
    *,
    max_chars: int,
    idempotency_key: str | None = None,
) -> list[Accepted]:
    """Store new tickets; a repeated external_id or idempotency key returns the earlier ticket.

    Every ticket is checked before anything is written, so a bad item rejects the whole call.
    """
    for index, ticket in enumerate(tickets):
        check_ticket(ticket, max_chars, "ticket" if len(tickets) == 1 else f"tickets[{index}]")
    if idempotency_key is not None:
        existing = repository.ticket_by_idempotency_key(session, idempotency_key)
        if existing is not None:
            return [Accepted(existing, created=False)]
    try:
        return _insert_new(session, tickets, idempotency_key)
    except IntegrityError:
        # A concurrent request stored the same external_id or key first. Intake is the only
        # work in this transaction, so roll it back; that request's tickets are now visible.
        session.rollback()
        if idempotency_key is not None:
            existing = repository.ticket_by_idempotency_key(session, idempotency_key)
            if existing is not None:
                return [Accepted(existing, created=False)]
        return _insert_new(session, tickets, idempotency_key)


def _insert_new(
    session: Session, tickets: Sequence[NewTicket], idempotency_key: str | None
) -> list[Accepted]:
    known = repository.tickets_by_external_id(
        session, [t.external_id for t in tickets if t.external_id]
    )
    rows: list[dict[str, Any]] = []
    positions: list[int] = []
    first_in_call: dict[str, int] = {}
    results: list[Accepted | None] = [None] * len(tickets)
    for index, ticket in enumerate(tickets):
        ext = ticket.external_id
        if ext and ext in known:
            results[index] = Accepted(known[ext], created=False)
            continue
        if ext and ext in first_in_call:
            continue  # resolved below to the id of its first occurrence in this call
        if ext:
            first_in_call[ext] = index
        positions.append(index)
        rows.append(
            {
                "subject": ticket.subject,
                "body": ticket.body,
                "sender": ticket.sender,
                "channel": ticket.channel,
                "external_id": ext,
                "meta": ticket.metadata,
                "idempotency_key": idempotency_key if len(tickets) == 1 else None,
            }
        )
    for index, ticket_id in zip(positions, repository.insert_tickets(session, rows), strict=True):
        results[index] = Accepted(ticket_id, created=True)
    for index, ticket in enumerate(tickets):
        if results[index] is None:
            first = results[first_in_call[str(ticket.external_id)]]
            assert first is not None
            results[index] = Accepted(first.id, created=False)
    return [r for r in results if r is not None]
