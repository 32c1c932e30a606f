"""The work queue between intake and workers: messages carry ticket ids, never whole tickets.

Delivery is at least once: a consumer acknowledges a message only after the database commit, and
an unacknowledged message is delivered again. Handlers are therefore idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Message:
    id: str
    ticket_id: int
    attempts: int = 1


class WorkQueue(Protocol):
    def publish(self, ticket_ids: Sequence[int]) -> None:
        """Queue the tickets; raises ServiceUnavailable when the queue cannot take them."""

    def consume(self, consumer: str, max_count: int, block_seconds: float) -> list[Message]:
        """Up to max_count messages for this consumer, waiting at most block_seconds."""

    def ack(self, messages: Sequence[Message]) -> None:
        """Mark messages done; they are never delivered again."""

    def nack(self, messages: Sequence[Message]) -> None:
        """Give messages back for another delivery (a failed attempt)."""

    def backlog(self) -> int:
        """Messages published and not yet acknowledged."""

    def close(self) -> None: ...
