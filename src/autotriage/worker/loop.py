"""The consume loop: one transaction per batch of messages, acknowledged after the commit."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from autotriage.domain.decision import DecisionPolicy
from autotriage.domain.triage import classify_tickets
from autotriage.errors import ModelNotReady
from autotriage.ml.store import ModelHolder
from autotriage.queue.base import Message, WorkQueue
from autotriage.storage import repository

log = logging.getLogger(__name__)


class Worker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        queue: WorkQueue,
        models: ModelHolder,
        policy: Callable[[], DecisionPolicy],
        *,
        name: str,
        batch_size: int,
    ) -> None:
        self.sessions = sessions
        self.queue = queue
        self.models = models
        self.policy = policy
        self.name = name
        self.batch_size = batch_size
        self.processed = 0

    def run_once(self, block_seconds: float = 0.5) -> int:
        """Consume one batch; returns the number of messages handled."""
        messages = self.queue.consume(self.name, self.batch_size, block_seconds)
        if not messages:
            return 0
        try:
            self._handle(messages)
        except ModelNotReady:
            self.queue.nack(messages)
            raise
        except Exception:
            log.exception("batch of %d failed; retrying its messages one by one", len(messages))
            for message in messages:
                try:
                    self._handle([message])
                except Exception:
                    log.exception("ticket %s failed (attempt %d)", message.ticket_id,
                                  message.attempts)
                    self.queue.nack([message])
        return len(messages)

    def _handle(self, messages: list[Message]) -> None:
        model = self.models.model  # one model for the whole batch, even if a swap happens now
        with self.sessions() as session:
            done = classify_tickets(session, model, self.policy(), [m.ticket_id for m in messages])
            session.commit()
        self.queue.ack(messages)
        self.processed += done

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except ModelNotReady:
                stop.wait(1.0)
            except Exception:
                log.exception("worker %s: unexpected error; continuing", self.name)
                stop.wait(1.0)


def sweep(sessions: sessionmaker[Session], queue: WorkQueue, older_than: timedelta) -> int:
    """Publish again tickets still `received` after `older_than`: their message was lost (a crash,
    a restart of the in-process queue). Touching them spaces out repeated sweeps of one ticket."""
    with sessions() as session:
        ids = repository.stale_received_ids(session, older_than)
        repository.touch_tickets(session, ids)
        session.commit()
    if ids:
        queue.publish(ids)
        log.info("sweeper re-published %d unfinished tickets", len(ids))
    return len(ids)
