"""What observability costs: a /metrics scrape (database values read fresh and cached), a drift
report over the newest 1,000 tickets, and the reference profile kept with a model.

    .venv/bin/python bench/observability.py [--tickets 20000]

Prints figures and the machine; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from machine import describe  # bench/machine.py (benchmarks run as scripts)

from autotriage.app import create_app
from autotriage.bootstrap import prepare
from autotriage.config import Settings
from autotriage.demo_data import generate_tickets
from autotriage.domain import intake
from autotriage.domain.triage import classify_tickets
from autotriage.ml import drift
from autotriage.runtime import Runtime


def fill(runtime: Runtime, n: int) -> None:
    tickets = generate_tickets(n, seed=5)
    for start in range(0, n, 1_000):
        with runtime.sessions() as session:
            accepted = intake.submit(session, [intake.NewTicket(t["subject"], t["body"])
                                               for t in tickets[start:start + 1_000]],
                                     max_chars=20_000)
            ids = [a.id for a in accepted]
            # Three in four classified, the rest left waiting, like a busy service.
            classify_tickets(session, runtime.models.model, runtime.policy(), ids[:750])
            session.commit()


def timed(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), embedded_workers=0, _env_file=None)  # type: ignore[call-arg]
        started = time.perf_counter()
        prepare(settings, say=lambda _m: None)
        print(f"demo model trained with its reference in {time.perf_counter() - started:.1f} s")
        runtime = Runtime(settings)
        runtime.load_champion()
        model = runtime.models.model
        profile = drift.load_reference(None, model)
        assert profile is not None
        print(f"reference profile: {len(json.dumps(profile)) / 1e6:.2f} MB as JSON, "
              f"{len(profile['texts'])} sample texts, {len(profile['vocabulary'])} words")
        fill(runtime, args.tickets)
        with TestClient(create_app(settings, runtime=runtime, background=False)) as client:
            def fresh() -> None:
                client.app.state.metrics_registry = None  # new collector: no cache
                client.get("/metrics")

            print(f"/metrics with {args.tickets} tickets in SQLite, database read fresh: "
                  f"{timed(fresh, 20):.1f} ms median; cached: "
                  f"{timed(lambda: client.get('/metrics'), 50):.1f} ms median")
            report_ms = timed(lambda: runtime.drift.report(window=1_000), 3)
            print(f"drift report over the newest 1,000 tickets: {report_ms:.0f} ms median")
    print(f"machine: {describe()}")


if __name__ == "__main__":
    main()
