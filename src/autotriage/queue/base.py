"""The work queue between intake and workers: messages carry ticket ids, never whole tickets.

Delivery is at least once: a consumer acknowledges a message only after the database commit, and
an unacknowledged message is delivered again. Handlers are therefore idempotent. A message that
keeps failing is moved to a dead-letter list after `max_attempts` deliveries, where people can
see it and send it back (`redrive`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Message:
    id: str
    ticket_id: int
    # Deliveries so far, this one included; a reclaimed message from a dead worker counts too.
    attempts: int = 1


@dataclass(frozen=True)
class DeadLetter:
    id: str
    ticket_id: int
    attempts: int
    reason: str
    failed_at: datetime


class WorkQueue(Protocol):
    def publish(self, ticket_ids: Sequence[int]) -> None:
        """Queue the tickets; raises ServiceUnavailable when the queue cannot take them."""

    def consume(self, consumer: str, max_count: int, block_seconds: float) -> list[Message]:
        """Up to max_count messages for this consumer, waiting at most block_seconds."""

    def ack(self, messages: Sequence[Message]) -> None:
        """Mark messages done; they are never delivered again."""

    def nack(self, messages: Sequence[Message]) -> None:
        """Give messages back for another delivery (a failed attempt)."""

    def release(self, messages: Sequence[Message]) -> None:
        """Give messages back without counting an attempt: the worker could not try them
        (no model loaded, database unreachable)."""

    def backlog(self) -> int:
        """Messages published and not yet acknowledged."""

    def oldest_unacked(self) -> datetime | None:
        """When the oldest message not yet acknowledged was published (None: no such message).
        A ticket last published before this has no message left in the queue."""

    def dead_letter(self, messages: Sequence[Message], reason: str) -> None:
        """Move messages out of the queue into the dead-letter list."""

    def dead_letters(self, limit: int) -> list[DeadLetter]:
        """The oldest dead letters first."""

    def dead_letter_count(self) -> int: ...

    def find_dead_letters(self, dead_letter_ids: Sequence[str]) -> list[DeadLetter]:
        """The dead letters with these ids (unknown ids are left out)."""

    def redrive(self, dead_letter_ids: Sequence[str]) -> list[DeadLetter]:
        """Publish these dead letters' tickets again and drop them from the list; returns the
        ones found (unknown ids are ignored)."""

    def close(self) -> None: ...
