"""Work queue implementations behind one interface (see base.WorkQueue)."""

from __future__ import annotations

from autotriage.config import Settings
from autotriage.queue.base import Message, WorkQueue
from autotriage.queue.memory import MemoryQueue

__all__ = ["Message", "WorkQueue", "MemoryQueue", "make_queue"]


def make_queue(settings: Settings) -> WorkQueue:
    if settings.queue_backend == "memory":
        return MemoryQueue()
    raise ValueError(
        f"queue_backend {settings.queue_backend!r} is not available in this version; "
        "use AUTOTRIAGE_QUEUE_BACKEND=memory"
    )
