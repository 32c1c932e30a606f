"""Work queue implementations behind one interface (see base.WorkQueue)."""

from __future__ import annotations

from autotriage.config import Settings
from autotriage.queue.base import DeadLetter, Message, WorkQueue
from autotriage.queue.memory import MemoryQueue

__all__ = ["DeadLetter", "Message", "WorkQueue", "MemoryQueue", "make_queue"]


def make_queue(settings: Settings) -> WorkQueue:
    if settings.queue_backend == "memory":
        return MemoryQueue()
    if settings.queue_backend == "redis":
        # Imported here: the embedded setup does not need the redis package installed.
        from autotriage.queue.redis_streams import RedisStreamsQueue

        return RedisStreamsQueue(
            settings.redis_url,
            stream=settings.redis_stream,
            group=settings.redis_group,
            claim_idle_ms=settings.claim_idle_ms,
            retry_delay_ms=settings.retry_delay_ms,
            retry_after=settings.retry_after_seconds,
        )
    raise ValueError(f"unknown queue_backend {settings.queue_backend!r}; use memory or redis")
