"""End-to-end throughput on PostgreSQL + Redis Streams with 1, 2 and 4 worker processes.

For each worker count: a fresh PostgreSQL schema and Redis stream, the API (`autotriage serve`,
no embedded worker) and N `autotriage worker` processes. Once every worker is consuming, two
client threads POST the tickets in batches to /api/v1/tickets/batch; the clock stops when no
ticket is `received` any more. Prints ingest time, end-to-end time and tickets/s, and the machine.

    .venv/bin/python bench/scale.py                      # 100,000 tickets, 1/2/4 workers
    .venv/bin/python bench/scale.py --tickets 10000 --workers 1,2

Needs the PostgreSQL and Redis servers of the tests (AUTOTRIAGE_TEST_POSTGRES_URL /
AUTOTRIAGE_TEST_REDIS_URL, defaults on 127.0.0.1). Tickets are the project's own demo tickets.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import redis
from machine import describe  # bench/machine.py (benchmarks run as scripts)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from autotriage.demo_data import generate_tickets
from autotriage.ml.model import TriageModel, ticket_text
from autotriage.ml.store import ModelStore
from autotriage.storage import migrate

POSTGRES = os.environ.get("AUTOTRIAGE_TEST_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("AUTOTRIAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
FIELDS = ("queue", "priority", "type")


def machine() -> str:
    return describe()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def train_model(model_dir: Path) -> None:
    tickets = generate_tickets(4_000, seed=7)  # what `autotriage serve` trains as demo champion
    model = TriageModel(FIELDS).fit([ticket_text(t["subject"], t["body"]) for t in tickets],
                                    {f: [t[f] for t in tickets] for f in FIELDS})
    store = ModelStore(model_dir)
    store.save(model)
    store.set_champion(model.version)


def payloads(n: int) -> list[dict[str, Any]]:
    keep = ("subject", "body", "sender", "channel", "external_id")
    return [{k: t[k] for k in keep} for t in generate_tickets(n, seed=99)]


class Stack:
    """One schema, one stream, the API and N workers."""

    def __init__(self, workdir: Path, model_dir: Path, workers: int) -> None:
        self.schema = f"bench_{uuid.uuid4().hex[:10]}"
        self.stream = f"bench:{self.schema}"
        self.admin = create_engine(POSTGRES)
        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        url = make_url(POSTGRES).update_query_dict({"options": f"-csearch_path={self.schema}"})
        self.url = url.render_as_string(hide_password=False)
        migrate.upgrade(self.url)
        self.db = create_engine(self.url)
        self.port = free_port()
        self.env = {**os.environ, "AUTOTRIAGE_DATABASE_URL": self.url,
                    "AUTOTRIAGE_QUEUE_BACKEND": "redis", "AUTOTRIAGE_REDIS_URL": REDIS,
                    "AUTOTRIAGE_REDIS_STREAM": self.stream, "AUTOTRIAGE_MODEL_REGISTRY": "local",
                    "AUTOTRIAGE_MODEL_DIR": str(model_dir), "AUTOTRIAGE_DATA_DIR": str(workdir),
                    "AUTOTRIAGE_LABEL_FIELDS": ",".join(FIELDS),
                    "AUTOTRIAGE_EMBEDDED_WORKERS": "0", "AUTOTRIAGE_MAX_BACKLOG": "1000000",
                    # Measures the queue and workers, not API-key checks or the rate limiter.
                    "AUTOTRIAGE_AUTH_ENABLED": "false", "AUTOTRIAGE_RATE_LIMIT_PER_MINUTE": "0",
                    # Nothing is lost here: the sweeper would only re-publish waiting tickets.
                    "AUTOTRIAGE_SWEEP_AFTER_SECONDS": "86400"}
        self.workdir = workdir
        self.processes: list[subprocess.Popen[bytes]] = []
        self._spawn("api", ["serve", "--host", "127.0.0.1", "--port", str(self.port)])
        for n in range(workers):
            self._spawn(f"worker-{n}", ["worker"], AUTOTRIAGE_WORKER_CONSUMER=f"bench-{n}")

    def _spawn(self, name: str, args: list[str], **env: str) -> None:
        with (self.workdir / f"{name}.log").open("wb") as log:
            self.processes.append(subprocess.Popen(
                [sys.executable, "-m", "autotriage.cli", *args], env={**self.env, **env},
                cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT))

    def wait_ready(self, workers: int) -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            for p in self.processes:
                if p.poll() is not None:
                    raise SystemExit(f"a process exited early; see the logs in {self.workdir}")
            logs = [(self.workdir / f"worker-{n}.log").read_text() for n in range(workers)]
            try:
                api_up = httpx.get(f"http://127.0.0.1:{self.port}/health").status_code == 200
            except httpx.HTTPError:
                api_up = False
            if api_up and all("consuming" in log for log in logs):
                return
            time.sleep(0.5)
        raise SystemExit("the stack did not start within 300 s")

    def unfinished(self) -> int:
        with self.db.connect() as conn:
            return int(conn.execute(text(
                "SELECT count(*) FROM tickets WHERE status = 'received'")).scalar_one())

    def close(self) -> None:
        for p in self.processes:
            p.send_signal(signal.SIGTERM)
        for p in self.processes:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
        self.db.dispose()
        with self.admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        self.admin.dispose()
        redis.Redis.from_url(REDIS).delete(self.stream, f"{self.stream}:dead")


def post_all(port: int, tickets: list[dict[str, Any]], batch: int) -> None:
    batches = [tickets[i:i + batch] for i in range(0, len(tickets), batch)]

    def send(chunk: list[dict[str, Any]]) -> None:
        with httpx.Client(timeout=120) as client:
            while True:
                answer = client.post(f"http://127.0.0.1:{port}/api/v1/tickets/batch",
                                     json={"tickets": chunk})
                if answer.status_code == 202:
                    return
                if answer.status_code != 503:
                    raise SystemExit(f"intake answered {answer.status_code}: {answer.text}")
                time.sleep(float(answer.headers.get("Retry-After", "1")))

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(send, batches))


def run(workers: int, tickets: list[dict[str, Any]], model_dir: Path, batch: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="autotriage-scale-") as tmp:
        stack = Stack(Path(tmp), model_dir, workers)
        try:
            stack.wait_ready(workers)
            started = time.perf_counter()
            post_all(stack.port, tickets, batch)
            ingested = time.perf_counter() - started
            while stack.unfinished():
                time.sleep(0.2)
            total = time.perf_counter() - started
        finally:
            stack.close()
    return {"workers": workers, "ingest_s": ingested, "total_s": total,
            "tickets_per_s": len(tickets) / total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--workers", default="1,2,4", help="comma-separated worker counts")
    parser.add_argument("--batch", type=int, default=500, help="tickets per POST")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    tickets = payloads(args.tickets)
    with tempfile.TemporaryDirectory(prefix="autotriage-model-") as model_dir:
        train_model(Path(model_dir))
        results = []
        for workers in [int(w) for w in args.workers.split(",")]:
            result = run(workers, tickets, Path(model_dir), args.batch)
            results.append(result)
            print(f"{workers} worker(s): {args.tickets} tickets ingested in "
                  f"{result['ingest_s']:.1f} s, all classified after {result['total_s']:.1f} s "
                  f"-> {result['tickets_per_s']:.0f} tickets/s end to end", flush=True)
    by_workers = {r["workers"]: r["tickets_per_s"] for r in results}
    if 2 in by_workers and 4 in by_workers:
        print(f"2 -> 4 workers: {by_workers[4] / by_workers[2]:.2f}x")
    print(f"machine at the end: {machine()}")


if __name__ == "__main__":
    main()
