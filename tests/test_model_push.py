"""A promotion announced on Redis makes every listening process load the new champion at once,
without waiting for its next poll (issue 5, hot reload)."""

from __future__ import annotations

import copy
import threading
from pathlib import Path

from autotriage.ml.model import TriageModel
from autotriage.ml.store import ModelHolder, ModelStore
from autotriage.worker.reload import ChampionWatcher, announce
from tests.conftest import wait_for


def test_push_notification_swaps_the_champion_before_the_next_poll(
    tmp_path: Path, demo_model: TriageModel, redis_stream: tuple[str, str]
) -> None:
    redis_url, _stream = redis_stream
    store = ModelStore(tmp_path / "models")
    store.save(demo_model)
    store.set_champion(demo_model.version)
    newer = copy.deepcopy(demo_model)
    newer.info = {**demo_model.info, "version": f"{demo_model.version}-next"}
    store.save(newer)

    holder = ModelHolder(store.load_champion())
    # An hour between polls: within this test only the push can trigger a check.
    watcher = ChampionWatcher(store, holder, interval=3600, warm=lambda _m: None)
    stop = threading.Event()
    threads = [threading.Thread(target=watcher.run, args=(stop,), daemon=True),
               threading.Thread(target=watcher.listen, args=(redis_url, stop), daemon=True)]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: watcher.swaps == 0 and holder.model.version == demo_model.version)
        store.set_champion(newer.version)
        # The subscriber may still be connecting: announce until it has heard one.
        def swapped() -> bool:
            announce(redis_url, newer.version)
            return holder.model.version == newer.version

        wait_for(swapped, timeout=15)
        assert watcher.swaps == 1
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
