"""The consume loop: one transaction per batch of messages, acknowledged after the commit.

A message that fails is retried; after `max_attempts` deliveries (a reclaimed message from a
worker that died counts too) it goes to the dead-letter list and its ticket is marked `failed`,
so the sweeper leaves it alone until someone re-drives it. Failures that are not the message's
fault (no model yet, database or queue unreachable) give the messages back without using up an
attempt.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from autotriage.domain.decision import DecisionPolicy
from autotriage.domain.triage import classify_tickets
from autotriage.errors import ModelNotReady, QueueUnavailable
from autotriage.ml.store import ModelHolder
from autotriage.observability import events, metrics
from autotriage.queue.base import Message, WorkQueue
from autotriage.storage import recovery
from autotriage.storage.repository import ClassifiedTicket
from autotriage.storage.tables import utcnow

if TYPE_CHECKING:
    from autotriage.domain.routing import Routing

log = logging.getLogger(__name__)

# Failures that say nothing about the message: it is given back without using up an attempt.
NOT_THE_MESSAGE = (ModelNotReady, QueueUnavailable, OperationalError, InterfaceError, PoolTimeout)
# Between a ticket's commit and its publish some time passes, and the clocks of the processes
# writing tickets and of the queue server may differ by a little: the sweeper allows for both.
PUBLISH_MARGIN = timedelta(seconds=5)


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
        on_classified: Callable[[Session, list[int]], None] | None = None,
        max_attempts: int = 5,
        routing: Callable[[], Routing | None] | None = None,
        shadow: Callable[[list[int]], None] | None = None,
    ) -> None:
        self.sessions = sessions
        # self-improvement (issue 5): the challenger predicts the batch after it committed.
        self.shadow = shadow
        # Runs inside the batch's transaction (the outbound-webhook outbox, issue 11).
        self.on_classified = on_classified
        # routing rules, urgency, SLA (issue 10): signals and rules after the policy decision.
        self.routing = routing
        self.queue = queue
        self.models = models
        self.policy = policy
        self.name = name
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.processed = 0
        self.dead_lettered = 0
        self.last_beat = time.monotonic()  # the liveness probe of `autotriage worker` reads it

    def run_once(self, block_seconds: float = 0.5) -> int:
        """Consume one batch; returns the number of messages handled."""
        messages = self.queue.consume(self.name, self.batch_size, block_seconds)
        if not messages:
            return 0
        live = messages
        try:
            live = self._retire_exhausted(messages)
            self._handle(live)
        except NOT_THE_MESSAGE:
            self._give_back(live)
            raise
        except Exception:
            log.exception("batch of %d failed; retrying its messages one by one", len(live))
            for index, message in enumerate(live):
                try:
                    self._handle([message])
                except NOT_THE_MESSAGE:
                    self._give_back(live[index:])
                    raise
                except Exception as exc:
                    self._failed(message, exc)
        return len(messages)

    def _retire_exhausted(self, messages: list[Message]) -> list[Message]:
        """Dead-letter messages delivered more often than allowed without an ack: their
        worker died each time (a message that kills its worker would otherwise loop)."""
        exhausted = [m for m in messages if m.attempts > self.max_attempts]
        if exhausted:
            self._dead_letter(exhausted, f"delivered more than {self.max_attempts} times without "
                              "being acknowledged (its worker died or stalled each time)")
        return [m for m in messages if m.attempts <= self.max_attempts]

    def _failed(self, message: Message, exc: Exception) -> None:
        log.error("ticket %s failed (attempt %d of %d): %s", message.ticket_id, message.attempts,
                  self.max_attempts, exc, exc_info=exc)
        metrics.TICKET_FAILURES.inc()
        if message.attempts < self.max_attempts:
            self.queue.nack([message])
            return
        try:
            self._dead_letter([message], f"{type(exc).__name__}: {exc}")
        except Exception:
            log.exception("could not dead-letter ticket %s; it stays queued", message.ticket_id)
            self.queue.nack([message])

    def _dead_letter(self, messages: Sequence[Message], reason: str) -> None:
        # The database first: a ticket marked failed is left alone by the sweeper, and if the
        # queue step fails the message is simply delivered (and dead-lettered) again.
        with self.sessions() as session:
            recovery.mark_failed(session, [m.ticket_id for m in messages])
            session.commit()
        self.queue.dead_letter(messages, reason)
        self.dead_lettered += len(messages)
        metrics.record_dead_letters(len(messages))
        log.error("dead-lettered tickets %s: %s", [m.ticket_id for m in messages], reason)

    def _give_back(self, messages: Sequence[Message]) -> None:
        try:
            self.queue.release(messages)
        except QueueUnavailable as exc:  # they stay pending and are reclaimed later
            log.warning("could not give %d messages back: %s", len(messages), exc)

    def _handle(self, messages: list[Message]) -> None:
        model = self.models.model  # one model for the whole batch, even if a swap happens now
        outcomes: list[ClassifiedTicket] = []
        with self.sessions() as session:
            done = classify_tickets(session, model, self.policy(), [m.ticket_id for m in messages],
                                    routing=self.routing() if self.routing else None,
                                    outcomes=outcomes)
            if done and self.on_classified is not None:
                self.on_classified(session, [m.ticket_id for m in messages])
            session.commit()
        self.queue.ack(messages)
        self.processed += done
        if done and self.shadow is not None:
            self.shadow([m.ticket_id for m in messages])
        events.tickets_classified(outcomes)  # metrics and log lines, now that it is committed

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.last_beat = time.monotonic()
            try:
                self.run_once()
            except ModelNotReady:
                stop.wait(1.0)
            except NOT_THE_MESSAGE as exc:
                log.warning("worker %s waits: %s", self.name, exc)
                stop.wait(1.0)
            except Exception:
                log.exception("worker %s: unexpected error; continuing", self.name)
                stop.wait(1.0)


def sweep(sessions: sessionmaker[Session], queue: WorkQueue, older_than: timedelta) -> int:
    """Publish again tickets still `received` whose message is gone (a crash, a restart of the
    in-process queue, Redis losing its data, a publish that failed after the commit).

    A ticket qualifies when it was last touched more than `older_than` ago AND before the oldest
    message the queue still holds: a ticket waiting its turn in a long backlog is not published
    twice. Touching the tickets spaces out repeated sweeps of one ticket.
    """
    before = utcnow() - older_than
    oldest = queue.oldest_unacked()
    if oldest is not None:
        before = min(before, oldest - PUBLISH_MARGIN)
    with sessions() as session:
        ids = recovery.claim_stale_received(session, before)
        session.commit()
    if ids:
        queue.publish(ids)
        log.info("sweeper re-published %d unfinished tickets", len(ids))
    return len(ids)
