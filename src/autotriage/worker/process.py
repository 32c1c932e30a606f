"""`autotriage worker`: one process consuming the shared Redis stream (any number, any machine).

SIGTERM or SIGINT stops claiming: each worker thread finishes its in-flight batch (commit, then
acknowledge) and the process exits 0 within `shutdown_grace_seconds`. A worker killed outright
leaves its messages pending; another worker reclaims them after `claim_idle_ms`.

The process also runs the sweeper (safe in many processes at once, see storage.recovery) and,
when `worker_heartbeat_file` is set, touches that file while its threads make progress, for
`autotriage worker-health` (the container's liveness probe).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from autotriage.config import Settings
from autotriage.observability.collector import serve_worker_metrics
from autotriage.runtime import Runtime
from autotriage.worker.loop import Worker

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 5.0
# A thread that has not come round its loop for this long is stuck (a consume blocks 0.5 s; a
# batch of 256 takes well under a second): the heartbeat stops and the probe restarts the pod.
STUCK_AFTER_SECONDS = 120.0


def run_worker(settings: Settings, say: Callable[[str], object] = print) -> int:
    """Run until SIGTERM/SIGINT; returns the exit code."""
    if settings.queue_backend == "memory":
        say("the memory queue lives inside `autotriage serve`, which runs its own worker "
            "threads; a separate worker needs AUTOTRIAGE_QUEUE_BACKEND=redis")
        return 2
    runtime = Runtime(settings)
    if not runtime.load_champion():
        runtime.close()
        say("no champion model: run `autotriage train ... --champion` or start "
            "`autotriage serve` once, which trains the demo model")
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    runtime.start_background(settings.worker_threads)
    serve_worker_metrics(runtime)  # issue 7: AUTOTRIAGE_WORKER_METRICS_PORT
    log.info("worker %s consuming %s (group %s) with %d thread(s)",
             settings.resolved_consumer_name, settings.redis_stream, settings.redis_group,
             settings.worker_threads)
    heartbeat = Path(settings.worker_heartbeat_file) if settings.worker_heartbeat_file else None
    while True:
        if heartbeat is not None and _threads_alive(runtime.workers):
            heartbeat.touch()
        if stop.wait(HEARTBEAT_SECONDS):
            break
    log.info("stopping: finishing the in-flight batch, claiming nothing new")
    runtime.close()
    processed = sum(w.processed for w in runtime.workers)
    log.info("worker %s stopped after classifying %d tickets", settings.resolved_consumer_name,
             processed)
    return 0


def _threads_alive(workers: Sequence[Worker]) -> bool:
    now = time.monotonic()
    return all(now - w.last_beat < STUCK_AFTER_SECONDS for w in workers)


def heartbeat_age(path: Path) -> float | None:
    """Seconds since the worker last touched its heartbeat file (None: never)."""
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None
