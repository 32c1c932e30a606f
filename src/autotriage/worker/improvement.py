"""What self-improvement adds to a process: hot reload of the champion, the shadow challenger
and the retrain triggers, started by the runtime with its other background threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from autotriage.config import Settings
from autotriage.domain.language import detect_language
from autotriage.ml.model import TriageModel
from autotriage.ml.store import ModelHolder, ModelStore
from autotriage.worker.reload import ChampionWatcher, announce
from autotriage.worker.retrain import RetrainScheduler
from autotriage.worker.shadow import ShadowPredictor

Spawn = Callable[..., None]


def warm(model: TriageModel) -> None:
    """Pay lazy initialisation (vectorizer caches, language profiles) before traffic does."""
    model.predict(["warm up"])
    detect_language("warm up")


class SelfImprovement:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session], store: ModelStore,
                 champion: ModelHolder) -> None:
        self.settings = settings
        self.challenger = ModelHolder()
        self.watcher = ChampionWatcher(
            store, champion, interval=settings.model_reload_seconds, warm=warm,
            challenger=self.challenger if settings.shadow_challenger else None)
        self.shadow = ShadowPredictor(sessions, self.challenger) if settings.shadow_challenger \
            else None
        self.scheduler = RetrainScheduler(sessions, store, settings, self.announce)
        self._watching = False
        self._triggers = False
        self._lock = threading.Lock()

    def announce(self, version: str) -> None:
        """After a promotion committed: this process checks now, the others hear it on Redis."""
        self.watcher.wake.set()
        if self.settings.queue_backend == "redis":
            announce(self.settings.redis_url, version)

    def start_watch(self, spawn: Spawn, stop: threading.Event) -> None:
        with self._lock:
            if self._watching:
                return
            self._watching = True
        spawn("model-watch", self.watcher.run, stop)
        if self.settings.queue_backend == "redis":
            spawn("model-notify", self.watcher.listen, self.settings.redis_url, stop)

    def start_triggers(self, spawn: Spawn, stop: threading.Event) -> None:
        with self._lock:
            if self._triggers or not self.scheduler.enabled:
                return
            self._triggers = True
        spawn("retrain-triggers", self.scheduler.run, stop)

    def on_drift(self, report: dict[str, Any]) -> None:
        self.scheduler.on_drift(report)
