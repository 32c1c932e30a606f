"""Re-driving dead letters, shared by `autotriage dead-letters redrive` and the API.

The tickets become `received` again (committed) before their messages return to the queue, so a
worker never sees a re-driven message for a ticket still marked `failed`. If the queue step fails
after the commit, the tickets are `received` and the sweeper publishes them later.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from autotriage.queue.base import DeadLetter, WorkQueue
from autotriage.storage import recovery

log = logging.getLogger(__name__)


def redrive(
    sessions: sessionmaker[Session],
    queue: WorkQueue,
    ids: Sequence[str] | None,
    *,
    limit: int,
    actor: str,
) -> list[DeadLetter]:
    """Re-drive the dead letters named by `ids`, or the oldest `limit` when `ids` is None."""
    letters = queue.find_dead_letters(ids) if ids is not None else queue.dead_letters(limit)
    if not letters:
        return []
    with sessions() as session:
        recovery.reset_failed(session, [letter.ticket_id for letter in letters])
        session.commit()
    moved = queue.redrive([letter.id for letter in letters])
    log.info("%s re-drove %d dead letters (tickets %s)", actor, len(moved),
             [letter.ticket_id for letter in moved])
    return moved
