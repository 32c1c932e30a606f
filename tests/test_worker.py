"""Worker semantics: at-least-once delivery handled idempotently, failures isolated."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from autotriage.domain import intake
from autotriage.queue.memory import MemoryQueue
from autotriage.runtime import Runtime
from autotriage.storage.tables import Prediction, Ticket
from autotriage.worker.loop import Worker


def _submit(runtime: Runtime, n: int) -> list[int]:
    with runtime.sessions() as session:
        accepted = intake.submit(
            session,
            [intake.NewTicket("Shipping", f"Where is my parcel number {i}?") for i in range(n)],
            max_chars=1000,
        )
        session.commit()
    return [a.id for a in accepted]


def test_a_message_delivered_twice_yields_one_prediction(
    runtime: Runtime, drain: Callable[[], int]
) -> None:
    ids = _submit(runtime, 3)
    runtime.queue.publish(ids)
    runtime.queue.publish(ids)  # redelivery
    drain()
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Prediction)) == 3
        statuses = set(session.scalars(select(Ticket.status)))
    assert "received" not in statuses


def test_a_failing_ticket_does_not_block_the_others(runtime: Runtime) -> None:
    ids = _submit(runtime, 4)
    queue = MemoryQueue()
    queue.publish([*ids, 10_000_000])  # an id the database has never seen is skipped harmlessly

    class Exploding:
        """A model that fails on one text, like a poison message would."""

        def __init__(self, inner: object) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def predict(self, texts: list[str], k: int = 3, **options: object) -> object:
            if any("number 2?" in t for t in texts):
                raise RuntimeError("boom")
            return self.inner.predict(texts, k, **options)  # type: ignore[attr-defined]

    from autotriage.ml.store import ModelHolder

    worker = Worker(runtime.sessions, queue, ModelHolder(Exploding(runtime.models.model)),  # type: ignore[arg-type]
                    runtime.policy, name="t", batch_size=10)
    worker.run_once(block_seconds=0)
    with runtime.sessions() as session:
        received = list(session.scalars(select(Ticket.id).where(Ticket.status == "received")))
    assert received == [ids[2]]
    assert queue.backlog() == 1  # the failed one is back for another attempt
