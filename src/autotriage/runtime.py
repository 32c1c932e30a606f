"""What one autotriage process holds: database, queue, live model, background threads."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from autotriage.config import Settings
from autotriage.domain.decision import DecisionPolicy
from autotriage.domain.language import detect_language
from autotriage.errors import AutotriageError
from autotriage.ml.store import ModelHolder, ModelStore
from autotriage.queue import WorkQueue, make_queue
from autotriage.storage.db import make_engine, make_session_factory
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
        self.store = ModelStore(settings.resolved_model_dir)
        self.models = ModelHolder()
        self.workers: list[Worker] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def policy(self) -> DecisionPolicy:
        fields = self.models.model.fields if self.models.loaded else self.settings.label_fields
        return DecisionPolicy(
            thresholds={f: self.settings.threshold_for(f) for f in fields},
            escalate_below=self.settings.escalate_below,
        )

    def load_champion(self) -> bool:
        try:
            model = self.store.load_champion()
        except (AutotriageError, OSError) as exc:
            log.warning("no model loaded: %s", exc)
            return False
        # Pay lazy initialisation (language profiles, vectorizer caches) before traffic does.
        model.predict(["warm up"])
        detect_language("warm up")
        self.models.swap(model)
        log.info("serving model %s", model.version)
        return True

    def start_background(self, workers: int) -> None:
        """Worker threads plus a sweeper; the first sweep re-publishes everything unfinished."""
        for n in range(workers):
            worker = Worker(self.sessions, self.queue, self.models, self.policy,
                            name=f"embedded-{n}", batch_size=self.settings.worker_batch_size)
            self.workers.append(worker)
            self._spawn(f"worker-{n}", worker.run, self._stop)
        self._spawn("sweeper", self._sweep_loop)

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

    def close(self) -> None:
        self._stop.set()
        self.queue.close()
        for thread in self._threads:
            thread.join(timeout=10)
        self.engine.dispose()
