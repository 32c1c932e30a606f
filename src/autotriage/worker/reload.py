"""Every process follows the champion (and, for shadowing, the challenger) without a restart.

A watcher polls the store's aliases every `model_reload_seconds`; with Redis configured, a
promotion also publishes on a channel and the watcher checks at once. A new version is loaded
and warmed up in the watcher's thread, then swapped in with one reference assignment: requests
and batches already running keep the model object they started with.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from autotriage.ml.model import TriageModel
from autotriage.ml.store import CHALLENGER, ModelHolder, ModelStore
from autotriage.observability import events

log = logging.getLogger(__name__)

CHANNEL = "autotriage:champion"
Warm = Callable[[TriageModel], None]


class ChampionWatcher:
    def __init__(self, store: ModelStore, champion: ModelHolder, *, interval: float, warm: Warm,
                 challenger: ModelHolder | None = None) -> None:
        self.store = store
        self.champion = champion
        self.challenger = challenger
        self.interval = interval
        self.warm = warm
        self.wake = threading.Event()
        self.swaps = 0

    def check(self) -> bool:
        """Load and swap in a new champion (and challenger); True when the champion changed."""
        changed = False
        version = self.store.champion_version()
        if version is not None and version != self.champion.version:
            model = self.store.load(version)
            self.warm(model)
            events.model_loaded(model, self.champion.swap(model))
            self.swaps += 1
            changed = True
            log.info("now serving model %s", version)
        if self.challenger is not None:
            wanted = self.store.alias_version(CHALLENGER)
            if wanted != self.challenger.version:
                self.challenger.swap(self.store.load(wanted) if wanted else None)
                log.info("shadowing challenger %s", wanted)
        return changed

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.check()
            except Exception:
                log.exception("checking the champion failed; trying again")
            deadline = time.monotonic() + self.interval
            # Short waits so that both a stop and a push notification are noticed quickly.
            while not stop.is_set() and not self.wake.is_set() and time.monotonic() < deadline:
                self.wake.wait(0.2)
            self.wake.clear()

    def listen(self, redis_url: str, stop: threading.Event) -> None:
        """Check at once when a promotion is announced on Redis (the poll stays as a fallback)."""
        import redis

        while not stop.is_set():
            try:
                client = redis.Redis.from_url(redis_url, socket_timeout=5)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                while not stop.is_set():
                    if pubsub.get_message(timeout=0.5) is not None:
                        self.wake.set()
                pubsub.close()
                client.close()
            except Exception as exc:  # noqa: BLE001 - Redis down: polling carries on alone
                log.warning("champion notifications unavailable (%s); polling only", exc)
                stop.wait(5.0)


def announce(redis_url: str, version: str) -> None:
    """Tell every process listening on Redis that the champion changed."""
    import redis

    try:
        client = redis.Redis.from_url(redis_url, socket_timeout=2)
        client.publish(CHANNEL, version)
        client.close()
    except Exception as exc:  # noqa: BLE001 - the poll picks it up within one interval
        log.warning("could not announce champion %s on Redis: %s", version, exc)
