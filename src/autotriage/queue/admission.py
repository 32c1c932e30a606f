"""Intake's side of the queue: refuse work the queue cannot take, publish what was accepted.

A ticket is refused (503 with Retry-After, nothing stored) when the queue is unreachable or its
backlog is at `max_backlog`. Once a ticket is committed it is accepted for good: if publishing
fails after the commit, the ticket stays `received` and the sweeper publishes it later.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from autotriage.config import Settings
from autotriage.errors import Overloaded, QueueUnavailable
from autotriage.queue.base import WorkQueue

log = logging.getLogger(__name__)


def check_capacity(queue: WorkQueue, settings: Settings) -> None:
    max_backlog, retry_after = settings.max_backlog, settings.retry_after_seconds
    try:
        backlog = queue.backlog()
    except QueueUnavailable as exc:
        raise QueueUnavailable(
            f"cannot accept tickets now, nothing was stored: {exc.message}",
            retry_after=retry_after,
        ) from exc
    if backlog >= max_backlog:
        raise Overloaded(
            f"{backlog} tickets are waiting for classification (the limit is {max_backlog}); "
            f"nothing was stored; retry in {retry_after} seconds",
            retry_after=retry_after,
        )


def publish_accepted(queue: WorkQueue, ticket_ids: Sequence[int]) -> bool:
    """Publish committed tickets; False (and a warning) when the queue failed just now."""
    if not ticket_ids:
        return True
    try:
        queue.publish(ticket_ids)
    except QueueUnavailable as exc:
        log.warning("%d tickets are stored but not queued (%s); the sweeper will queue them",
                    len(ticket_ids), exc.message)
        return False
    return True
