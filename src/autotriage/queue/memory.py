"""In-process queue for the embedded service: worker threads in the same process consume it.

It keeps nothing across restarts; the sweeper re-publishes tickets the database still shows as
`received`, which is what makes an accepted ticket survive a crash. Dead letters are kept in
memory too; the tickets themselves are marked `failed` in the database by the worker.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime

from autotriage.queue.base import DeadLetter, Message


class MemoryQueue:
    def __init__(self) -> None:
        self._pending: deque[Message] = deque()
        self._in_flight: dict[str, Message] = {}
        self._published_at: dict[str, datetime] = {}
        self._dead: dict[str, DeadLetter] = {}
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        self._closed = False

    def publish(self, ticket_ids: Sequence[int]) -> None:
        now = datetime.now(UTC)
        with self._cond:
            for ticket_id in ticket_ids:
                message = Message(str(next(self._ids)), int(ticket_id))
                self._pending.append(message)
                self._published_at[message.id] = now
            self._cond.notify_all()

    def consume(self, consumer: str, max_count: int, block_seconds: float) -> list[Message]:
        with self._cond:
            if not self._pending and not self._closed:
                self._cond.wait(timeout=block_seconds)
            batch: list[Message] = []
            while self._pending and len(batch) < max_count:
                message = self._pending.popleft()
                self._in_flight[message.id] = message
                batch.append(message)
            return batch

    def ack(self, messages: Sequence[Message]) -> None:
        with self._cond:
            for message in messages:
                self._in_flight.pop(message.id, None)
                self._published_at.pop(message.id, None)

    def nack(self, messages: Sequence[Message]) -> None:
        self._give_back(messages, counted=True)

    def release(self, messages: Sequence[Message]) -> None:
        self._give_back(messages, counted=False)

    def _give_back(self, messages: Sequence[Message], *, counted: bool) -> None:
        with self._cond:
            for message in messages:
                if self._in_flight.pop(message.id, None) is not None:
                    attempts = message.attempts + 1 if counted else message.attempts
                    self._pending.append(Message(message.id, message.ticket_id, attempts))
            self._cond.notify_all()

    def backlog(self) -> int:
        with self._cond:
            return len(self._pending) + len(self._in_flight)

    def oldest_unacked(self) -> datetime | None:
        with self._cond:
            return min(self._published_at.values(), default=None)

    def dead_letter(self, messages: Sequence[Message], reason: str) -> None:
        now = datetime.now(UTC)
        with self._cond:
            for message in messages:
                self._in_flight.pop(message.id, None)
                self._published_at.pop(message.id, None)
                letter_id = f"dead-{message.id}"
                self._dead[letter_id] = DeadLetter(letter_id, message.ticket_id,
                                                   message.attempts, reason, now)

    def dead_letters(self, limit: int) -> list[DeadLetter]:
        with self._cond:
            return list(itertools.islice(self._dead.values(), limit))

    def dead_letter_count(self) -> int:
        with self._cond:
            return len(self._dead)

    def find_dead_letters(self, dead_letter_ids: Sequence[str]) -> list[DeadLetter]:
        with self._cond:
            return [self._dead[i] for i in dead_letter_ids if i in self._dead]

    def redrive(self, dead_letter_ids: Sequence[str]) -> list[DeadLetter]:
        with self._cond:
            found = [self._dead.pop(i) for i in dead_letter_ids if i in self._dead]
        self.publish([letter.ticket_id for letter in found])
        return found

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
