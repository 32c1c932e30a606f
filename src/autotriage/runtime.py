"""What one autotriage process holds: database, queue, live model, background threads."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from autotriage.config import Settings
from autotriage.domain.decision import DecisionPolicy, escalation_rules, policy_from_model_info
from autotriage.domain.drift import DriftMonitor
from autotriage.domain.field_policy import FieldModes
from autotriage.domain.language import detect_language
from autotriage.domain.routing import load_routing
from autotriage.errors import AutotriageError
from autotriage.integrations.outbound import DecisionOutbox, Deliverer
from autotriage.ml.store import ModelHolder, open_store
from autotriage.observability import events
from autotriage.queue import WorkQueue, make_queue
from autotriage.storage.db import make_engine, make_session_factory
from autotriage.worker.improvement import SelfImprovement
from autotriage.worker.loop import Worker, sweep

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, settings: Settings, *, queue: WorkQueue | None = None) -> None:
        self.settings = settings
        self.engine = make_engine(
            settings.resolved_database_url, pool_size=settings.database_pool_size
        )
        self.sessions = make_session_factory(self.engine)
        self.queue = queue if queue is not None else make_queue(settings)
        self.store = open_store(settings)  # MLflow registry or a folder (issue 5)
        self.models = ModelHolder()
        # self-improvement (issue 5): hot reload, shadow challenger, retrain triggers
        self.improvement = SelfImprovement(settings, self.sessions, self.store, self.models)
        # drift reports, metrics and retrain hooks (issue 7)
        self.drift = DriftMonitor(settings, self.sessions, self.models, self.store)
        self.drift.on_drift(self.improvement.on_drift)
        self.field_modes = FieldModes(self.sessions, settings.field_modes,
                                      settings.field_modes_ttl_seconds)
        # routing rules, urgency, SLA (issue 10): applied by every worker after the policy.
        self.routing = load_routing(settings)
        self.workers: list[Worker] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def fields(self) -> tuple[str, ...]:
        return self.models.model.fields if self.models.loaded else self.settings.label_fields

    def policy(self) -> DecisionPolicy:
        """Decision policy v2 (issue 3): the live model's thresholds and the admin's modes."""
        info = self.models.model.info if self.models.loaded else {}
        fields = self.fields()
        return policy_from_model_info(
            {"fields": list(fields), **info},
            self.field_modes.get(fields),
            fallback_threshold=self.settings.threshold_for,
            overrides=self.settings.thresholds,
            fallback_novelty=self.settings.escalate_below,
            novelty_quantile=self.settings.novelty_quantile,
            rules=escalation_rules(),
        )

    def load_champion(self) -> bool:
        try:
            model = self.store.load_champion()
        except (AutotriageError, OSError) as exc:
            log.warning("no model loaded: %s", exc)
            events.model_load_failed(exc)
            return False
        # Pay lazy initialisation (language profiles, vectorizer caches) before traffic does.
        model.predict(["warm up"])
        detect_language("warm up")
        events.model_loaded(model, self.models.swap(model))
        log.info("serving model %s", model.version)
        return True

    def start_background(self, workers: int) -> None:
        """Worker threads plus a sweeper; the first sweep re-publishes everything unfinished."""
        # Outbound webhooks (issue 11): outbox rows in the worker's transaction, sent by a loop.
        urls = self.settings.outbound_webhook_urls
        outbox = DecisionOutbox(urls) if urls else None
        for n in range(workers):
            worker = Worker(self.sessions, self.queue, self.models, self.policy,
                            name=f"{self.settings.resolved_consumer_name}-{n}",
                            batch_size=self.settings.worker_batch_size,
                            on_classified=outbox, max_attempts=self.settings.max_attempts,
                            routing=lambda: self.routing, shadow=self.improvement.shadow)
            self.workers.append(worker)
            self._spawn(f"worker-{n}", worker.run, self._stop)
        self._spawn("sweeper", self._sweep_loop)
        if outbox is not None:
            self._spawn("webhook-delivery", Deliverer(self.sessions, self.settings).run, self._stop)
        self.start_model_watch()
        self.improvement.start_triggers(self._spawn, self._stop)

    def start_model_watch(self) -> None:
        """Follow the champion alias and swap in a new champion (issue 5). Idempotent; an API
        process without workers needs it too."""
        self.improvement.start_watch(self._spawn, self._stop)

    def _sweep_loop(self) -> None:
        older_than = timedelta(0)  # at start, nothing unfinished is in this process's queue
        while not self._stop.is_set():
            try:
                sweep(self.sessions, self.queue, older_than)
            except Exception:
                log.exception("sweeper failed; trying again later")
            older_than = timedelta(seconds=self.settings.sweep_after_seconds)
            self._stop.wait(self.settings.sweep_interval_seconds)

    def _spawn(self, name: str, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def start_drift_checks(self) -> None:
        """Periodic drift reports (issue 7); one process of a deployment is enough."""
        self._spawn("drift", self.drift.run, self._stop)

    def close(self) -> None:
        # Workers finish (commit and acknowledge) their in-flight batch before the queue closes
        # (issue 6: graceful shutdown); a consume blocks for at most half a second.
        self._stop.set()
        deadline = time.monotonic() + self.settings.shutdown_grace_seconds
        for thread in self._threads:
            thread.join(timeout=max(0.1, deadline - time.monotonic()))
        self.queue.close()
        self.engine.dispose()
