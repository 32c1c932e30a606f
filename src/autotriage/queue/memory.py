"""In-process queue for the embedded service: worker threads in the same process consume it.

It keeps nothing across restarts; the sweeper re-publishes tickets the database still shows as
`received`, which is what makes an accepted ticket survive a crash.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Sequence

from autotriage.queue.base import Message


class MemoryQueue:
    def __init__(self) -> None:
        self._pending: deque[Message] = deque()
        self._in_flight: dict[str, Message] = {}
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        self._closed = False

    def publish(self, ticket_ids: Sequence[int]) -> None:
        with self._cond:
            for ticket_id in ticket_ids:
                self._pending.append(Message(str(next(self._ids)), int(ticket_id)))
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

    def nack(self, messages: Sequence[Message]) -> None:
        with self._cond:
            for message in messages:
                if self._in_flight.pop(message.id, None) is not None:
                    self._pending.append(
                        Message(message.id, message.ticket_id, message.attempts + 1)
                    )
            self._cond.notify_all()

    def backlog(self) -> int:
        with self._cond:
            return len(self._pending) + len(self._in_flight)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
