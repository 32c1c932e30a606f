"""Web UI benchmark (issue 8): each page's server time with 100,000 tickets in the database.

    .venv/bin/python bench/ui.py [--tickets 100000] [--requests 7]

Builds a fresh SQLite database in a temporary folder: demo tickets spread over the last 60
days, classified in bulk by a real model trained on demo data (its predictions, confidences and
top-3 are real; the decision is seeded from the confidence, since only the mix matters here).
Tickets sent to review more than two days ago count as reviewed, so the backlog is the last
two days' (~3,000); 5% of the tickets have reviewer labels and 1% feedback labels. Then it
asks every page through the real ASGI app (authentication off, no worker threads) and prints
p50/p95 per page. The
target is < 100 ms; figures depend on the machine and its load, so it never fails on time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from machine import describe  # bench/machine.py (benchmarks run as scripts)

from autotriage.app import create_app
from autotriage.config import Settings
from autotriage.demo_data import generate_tickets
from autotriage.ml.model import TriageModel, ticket_text
from autotriage.ml.store import ModelStore
from autotriage.runtime import Runtime
from autotriage.storage import migrate, repository
from autotriage.storage.repository import ClassifiedTicket, FieldOutcome
from autotriage.storage.tables import TicketStatus

FIELDS = ("queue", "priority", "type")
BATCH = 5_000
DAYS = 60
REVIEWED_AFTER = timedelta(days=2)


def machine() -> str:
    return describe()


def train(settings: Settings) -> TriageModel:
    tickets = generate_tickets(1_500, seed=11)
    model = TriageModel(FIELDS).fit([ticket_text(t["subject"], t["body"]) for t in tickets],
                                    {f: [t[f] for t in tickets] for f in FIELDS})
    store = ModelStore(settings.resolved_model_dir)
    store.save(model)
    store.set_champion(model.version)
    return model


def _classified(ticket_id: int, results: dict[str, Any], version: str, n: int,
                created_at: datetime, now: datetime) -> ClassifiedTicket:
    fields = [FieldOutcome(f, r.label, r.confidence, [list(x) for x in r.top],
                           "auto_route" if r.confidence >= 0.9 else "human_review")
              for f, r in results.items()]
    auto = all(fo.decision == "auto_route" for fo in fields)
    # A database of 100,000 tickets has mostly finished work: what went to review more than
    # REVIEWED_AFTER ago has been reviewed; the newer ones are the backlog.
    waiting = now - created_at < REVIEWED_AFTER
    status = (TicketStatus.AUTO_ROUTED if auto
              else TicketStatus.IN_REVIEW if waiting else TicketStatus.REVIEWED)
    return ClassifiedTicket(
        ticket_id=ticket_id, language="en", model_version=version,
        decision="auto_route" if auto else "human_review", status=status,
        latency_ms=1.0 + (n % 97) / 10, fields=fields,
        extra={"created_at": created_at})  # predicted when it arrived


def fill(runtime: Runtime, model: TriageModel, count: int) -> None:
    started = time.perf_counter()
    demo = generate_tickets(count, seed=3)
    now = datetime.now(UTC)
    for start in range(0, count, BATCH):
        chunk = demo[start:start + BATCH]
        rows = [{"subject": t["subject"], "body": t["body"], "sender": t["sender"],
                 "channel": t["channel"], "external_id": f"bench-{start + i}",
                 "created_at": now - timedelta(days=DAYS * (count - start - i) / count)}
                for i, t in enumerate(chunk)]
        predictions = model.predict([ticket_text(r["subject"], r["body"]) for r in rows])
        with runtime.sessions() as session:
            ids = repository.insert_tickets(session, rows)
            repository.store_classifications(session, [
                _classified(tid, p, model.version, start + i, row["created_at"], now)
                for i, (tid, p, row) in enumerate(zip(ids, predictions, rows, strict=True))])
            labels = [{"ticket_id": tid, "field": FIELDS[0], "value": t[FIELDS[0]],
                       "source": "review" if i % 5 else "feedback", "actor": "bench",
                       "created_at": row["created_at"]}
                      for i, (tid, t, row) in enumerate(zip(ids, chunk, rows, strict=True))
                      if i % 100 < 6]
            repository.add_labels(session, labels)
            session.commit()
        print(f"\r  {start + len(chunk):,} tickets stored", end="", file=sys.stderr)
    print(f"\nfilled {count:,} tickets in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)


def measure(client: TestClient, path: str, requests: int) -> tuple[float, float]:
    assert client.get(path).status_code == 200, path  # warm-up (caches, first query plans)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.text[:300])
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", label_fields=FIELDS,  # type: ignore[call-arg]
                            _env_file=None, auth_enabled=False, embedded_workers=0,
                            drift_check_interval_seconds=0, model_registry="local")
        migrate.upgrade(settings.resolved_database_url)
        model = train(settings)
        runtime = Runtime(settings)
        runtime.load_champion()
        fill(runtime, model, args.tickets)
        with runtime.sessions() as session:
            newest = repository.list_tickets(session, repository.TicketFilter(
                status=TicketStatus.IN_REVIEW), before_id=None, limit=1)[0].id
        pages = ["/", "/submit", "/tickets", "/tickets?status=in_review",
                 "/tickets?label=billing", "/tickets?q=refund", f"/tickets/{newest}",
                 "/review", f"/review/similar/{newest}", "/models", "/monitoring"]
        print(f"web UI server time, {args.tickets:,} tickets (SQLite), {args.requests} requests "
              f"per page after one warm-up; {machine()}")
        print(f"  {'page':<34} {'p50 ms':>8} {'p95 ms':>8}")
        with TestClient(create_app(settings, runtime=runtime, background=False)) as client:
            for path in pages:
                p50, p95 = measure(client, path, args.requests)
                print(f"  {path:<34} {p50:8.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
