"""SQL of crash recovery: the sweeper's claim on stale tickets and the dead-letter status.

Functions take a Session and never commit: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from autotriage.storage.tables import Ticket, TicketStatus, utcnow


def claim_stale_received(session: Session, before: datetime, limit: int = 10_000) -> list[int]:
    """Tickets still `received` and last touched before `before`, touched now so that the next
    sweep leaves them alone for a while.

    On PostgreSQL the rows are locked with SKIP LOCKED: sweepers in many processes running at
    once each take different tickets, and a ticket touched by one is no longer stale for the
    others once it commits (SQLite, a single-machine setup, ignores the clause).
    """
    ids = list(
        session.scalars(
            select(Ticket.id)
            .where(Ticket.status == TicketStatus.RECEIVED, Ticket.updated_at < before)
            .order_by(Ticket.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        session.execute(update(Ticket).where(Ticket.id.in_(ids)).values(updated_at=utcnow()))
    return ids


def mark_failed(session: Session, ticket_ids: Sequence[int]) -> int:
    """Mark tickets whose message went to the dead-letter list (only those still unfinished)."""
    return _move(session, ticket_ids, TicketStatus.RECEIVED, TicketStatus.FAILED)


def reset_failed(session: Session, ticket_ids: Sequence[int]) -> int:
    """Make dead-lettered tickets `received` again before their messages are re-driven."""
    return _move(session, ticket_ids, TicketStatus.FAILED, TicketStatus.RECEIVED)


def _move(session: Session, ticket_ids: Sequence[int], from_status: str, to_status: str) -> int:
    if not ticket_ids:
        return 0
    result = session.execute(
        update(Ticket)
        .where(Ticket.id.in_(list(ticket_ids)), Ticket.status == from_status)
        .values(status=to_status, updated_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
