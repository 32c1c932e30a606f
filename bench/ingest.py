"""Ingest benchmark on embedded defaults: a real `autotriage serve` process (SQLite, in-process
queue and worker) on loopback, driven by an async HTTP client in this process.

Prints: single-POST acceptance rate and end-to-end rate (submission -> stored decision), batch
end-to-end rate, and /classify latency p50/p99. Usage:

    .venv/bin/python bench/ingest.py [--single 2000] [--batches 20] [--batch-size 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from machine import describe  # bench/machine.py (benchmarks run as scripts)

from autotriage.demo_data import generate_tickets


def machine() -> str:
    return describe()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    # The per-key rate limit is a policy, not a capacity: lifted so the bench measures capacity.
    env = {**os.environ, "AUTOTRIAGE_DATA_DIR": str(data_dir), "AUTOTRIAGE_PORT": str(port),
           "AUTOTRIAGE_HOST": "127.0.0.1", "AUTOTRIAGE_RATE_LIMIT_PER_MINUTE": "0"}
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "autotriage.cli", "serve"], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"server exited; see {data_dir / 'server.log'}")
        time.sleep(0.5)
    process.terminate()
    raise SystemExit("server did not become ready")


async def wait_classified(client: httpx.AsyncClient) -> None:
    while True:
        page = (await client.get("/api/v1/tickets", params={"status": "received", "limit": 1}))
        if not page.json()["items"]:
            return
        await asyncio.sleep(0.02)


def payloads(n: int, seed: int) -> list[dict[str, str]]:
    return [{"subject": t["subject"], "body": t["body"], "channel": t["channel"]}
            for t in generate_tickets(n, seed=seed)]


async def bench_single(client: httpx.AsyncClient, n: int, concurrency: int) -> tuple[float, float]:
    tickets = payloads(n, seed=101)
    queue: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    for t in tickets:
        queue.put_nowait(t)

    async def sender() -> None:
        while not queue.empty():
            response = await client.post("/api/v1/tickets", json=queue.get_nowait())
            response.raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    accepted = time.perf_counter() - started
    await wait_classified(client)
    return n / accepted, n / (time.perf_counter() - started)


async def bench_batch(client: httpx.AsyncClient, batches: int, size: int) -> float:
    tickets = payloads(batches * size, seed=202)
    started = time.perf_counter()
    for b in range(batches):
        response = await client.post("/api/v1/tickets/batch",
                                     json={"tickets": tickets[b * size:(b + 1) * size]})
        response.raise_for_status()
    await wait_classified(client)
    return batches * size / (time.perf_counter() - started)


async def bench_classify(client: httpx.AsyncClient, n: int) -> tuple[float, float, float]:
    tickets = payloads(n, seed=303)
    latencies = []
    for t in tickets:
        started = time.perf_counter()
        response = await client.post("/api/v1/classify",
                                     json={"subject": t["subject"], "body": t["body"]})
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    p50, p99 = np.percentile(latencies, [50, 99])
    return float(p50), float(p99), float(np.mean(latencies))


def admin_key(data_dir: Path) -> str:
    """The API key the first run wrote for the admin (see README, Security)."""
    for line in (data_dir / "admin-credentials.txt").read_text().splitlines():
        if line.startswith("api_key:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit("no api_key in admin-credentials.txt")


async def run(args: argparse.Namespace, port: int, key: str) -> None:
    limits = httpx.Limits(max_connections=args.concurrency + 4)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits,
                                 headers={"Authorization": f"Bearer {key}"},
                                 timeout=60) as client:
        await bench_classify(client, 50)  # warm-up
        accept_rate, single_e2e = await bench_single(client, args.single, args.concurrency)
        print(f"single POST ({args.single} tickets, {args.concurrency} concurrent clients): "
              f"accepted {accept_rate:,.0f} req/s; end to end {single_e2e:,.0f} tickets/s")
        batch_e2e = await bench_batch(client, args.batches, args.batch_size)
        print(f"batch POST ({args.batches} x {args.batch_size}): end to end "
              f"{batch_e2e:,.0f} tickets/s")
        p50, p99, mean = await bench_classify(client, args.classify)
        print(f"/classify ({args.classify} sequential requests): p50 {p50:.1f} ms, "
              f"p99 {p99:.1f} ms, mean {mean:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=1_000)
    parser.add_argument("--classify", type=int, default=1_000)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print("server: autotriage serve on embedded defaults (SQLite, in-process queue, 1 worker "
          "thread), per-key rate limit off")
    with tempfile.TemporaryDirectory(prefix="autotriage-bench-") as tmp:
        port = free_port()
        server = start_server(Path(tmp), port)
        try:
            asyncio.run(run(args, port, admin_key(Path(tmp))))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
