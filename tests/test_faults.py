"""Faults against the real servers: workers killed mid-batch, SIGTERM, several workers on one
stream, Redis going away (our own redis-server, so the shared one is untouched) and the
database being unreachable."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from typer.testing import CliRunner

from autotriage.app import create_app
from autotriage.cli import app as cli_app
from autotriage.config import Settings
from autotriage.domain import intake
from autotriage.ml.model import TriageModel
from autotriage.ml.store import ModelStore
from autotriage.queue import admission
from autotriage.queue.redis_streams import RedisStreamsQueue
from autotriage.runtime import Runtime
from autotriage.storage import migrate
from autotriage.storage.db import make_engine, make_session_factory
from autotriage.storage.tables import Prediction, Ticket
from autotriage.worker.loop import Worker, sweep

from .conftest import FIELDS, _service_missing, wait_for

GROUP = "workers"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _store_model(model_dir: Path, model: TriageModel) -> None:
    store = ModelStore(model_dir)
    store.save(model)
    store.set_champion(model.version)


@dataclass
class Cluster:
    """A PostgreSQL schema, a Redis stream and `autotriage worker` processes sharing them."""

    tmp: Path
    env: dict[str, str]
    engine: Engine
    queue: RedisStreamsQueue
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, **extra: str) -> subprocess.Popen[bytes]:
        env = {**os.environ, **self.env, "AUTOTRIAGE_WORKER_CONSUMER": name,
               **{f"AUTOTRIAGE_{k.upper()}": v for k, v in extra.items()}}
        with (self.tmp / f"{name}.log").open("wb") as log:
            process = subprocess.Popen([sys.executable, "-m", "autotriage.cli", "worker"],
                                       env=env, cwd=self.tmp, stdout=log, stderr=subprocess.STDOUT)
        self.workers[name] = process
        return process

    def wait_consuming(self, *names: str) -> None:
        """Until each has started its consume loop (Redis lists a consumer only once it has
        been handed a message, so the workers' own log line is the signal)."""
        def started() -> bool:
            for name in names:
                assert self.workers[name].poll() is None, f"{name} exited:\n{self.log(name)}"
            return all(f"worker {n} consuming" in self.log(n) for n in names)

        wait_for(started, timeout=120)

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def submit(self, n: int) -> list[int]:
        with make_session_factory(self.engine)() as session:
            accepted = intake.submit(session, [intake.NewTicket("Order", f"Where is order {i}?")
                                               for i in range(n)], max_chars=1000)
            session.commit()
        return [a.id for a in accepted]

    def count(self, query: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text(query)).scalar_one())

    def stop_all(self) -> dict[str, int]:
        for process in self.workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        return {name: p.wait(timeout=60) for name, p in self.workers.items()}


@pytest.fixture
def cluster(
    postgres_url: str, redis_stream: tuple[str, str], tmp_path: Path, demo_model: TriageModel
) -> Iterator[Cluster]:
    migrate.upgrade(postgres_url)
    _store_model(tmp_path / "models", demo_model)
    url, stream = redis_stream
    env = {
        "AUTOTRIAGE_DATABASE_URL": postgres_url, "AUTOTRIAGE_DATABASE_POOL_SIZE": "2",
        "AUTOTRIAGE_QUEUE_BACKEND": "redis", "AUTOTRIAGE_REDIS_URL": url,
        "AUTOTRIAGE_REDIS_STREAM": stream, "AUTOTRIAGE_REDIS_GROUP": GROUP,
        "AUTOTRIAGE_MODEL_DIR": str(tmp_path / "models"), "AUTOTRIAGE_DATA_DIR": str(tmp_path),
        "AUTOTRIAGE_LABEL_FIELDS": ",".join(FIELDS), "AUTOTRIAGE_WORKER_BATCH_SIZE": "10",
        "AUTOTRIAGE_CLAIM_IDLE_MS": "1000", "AUTOTRIAGE_MODEL_REGISTRY": "local",
        # The sweeper must not be what recovers the tickets here: reclaiming is under test.
        "AUTOTRIAGE_SWEEP_AFTER_SECONDS": "3600",
    }
    engine = make_engine(postgres_url, pool_size=2)
    c = Cluster(tmp_path, env, engine, RedisStreamsQueue(url, stream=stream, group=GROUP))
    yield c
    for process in c.workers.values():
        if process.poll() is None:
            process.kill()
            process.wait()
    c.queue.close()
    engine.dispose()


def _lock_all_tickets(engine: Engine) -> tuple[object, int]:
    """Hold FOR UPDATE on every ticket: a worker then stops inside its batch (after its SELECT
    and prediction, at the write), which is exactly "in the middle of a message"."""
    conn = engine.connect()
    conn.begin()
    conn.execute(text("SELECT id FROM tickets FOR UPDATE"))
    return conn, int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _blocked_by(cluster: Cluster, holder: int) -> int:
    return cluster.count(f"SELECT count(*) FROM pg_stat_activity "
                         f"WHERE {holder} = ANY(pg_blocking_pids(pid))")


def _pending(cluster: Cluster, consumer: str) -> int:
    summary = cluster.queue._redis.xpending(cluster.queue.stream, GROUP)
    return sum(int(c["pending"]) for c in summary["consumers"] if c["name"] == consumer)


def _processed(cluster: Cluster, name: str) -> int:
    line = [x for x in cluster.log(name).splitlines() if "stopped after classifying" in x][-1]
    return int(line.split("classifying ")[1].split()[0])


@pytest.mark.postgres
@pytest.mark.redis
def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(cluster: Cluster) -> None:
    cluster.start("victim")
    cluster.wait_consuming("victim")
    ids = cluster.submit(30)
    lock, holder = _lock_all_tickets(cluster.engine)
    cluster.queue.publish(ids)
    wait_for(lambda: _blocked_by(cluster, holder) > 0 and _pending(cluster, "victim-0") > 0)
    cluster.workers["victim"].kill()  # SIGKILL: no cleanup, its batch stays pending
    assert cluster.workers["victim"].wait(timeout=10) == -signal.SIGKILL
    lock.close()  # rolls back; the victim's own transaction died with its connection

    cluster.start("s1")
    cluster.start("s2")
    cluster.wait_consuming("s1", "s2")
    wait_for(lambda: cluster.count("SELECT count(*) FROM tickets WHERE status = 'received'")
             == 0, timeout=90)
    assert cluster.count("SELECT count(*) FROM predictions") == 30
    assert cluster.count("SELECT count(*) FROM (SELECT ticket_id FROM predictions "
                         "GROUP BY ticket_id HAVING count(*) > 1) d") == 0
    assert cluster.stop_all() == {"victim": -signal.SIGKILL, "s1": 0, "s2": 0}
    assert _processed(cluster, "s1") + _processed(cluster, "s2") == 30
    assert "reclaimed" in cluster.log("s1") + cluster.log("s2")
    assert cluster.queue.backlog() == 0 and cluster.queue.dead_letter_count() == 0


@pytest.mark.postgres
@pytest.mark.redis
def test_sigterm_finishes_the_in_flight_batch_and_claims_nothing_more(
    cluster: Cluster,
) -> None:
    heartbeat = cluster.tmp / "alive"
    worker = cluster.start("graceful", worker_heartbeat_file=str(heartbeat))
    cluster.wait_consuming("graceful")
    probe = CliRunner().invoke(cli_app, ["worker-health"],
                               env={"AUTOTRIAGE_WORKER_HEARTBEAT_FILE": str(heartbeat)})
    assert probe.exit_code == 0, probe.output
    ids = cluster.submit(25)
    lock, holder = _lock_all_tickets(cluster.engine)
    cluster.queue.publish(ids)
    wait_for(lambda: _blocked_by(cluster, holder) > 0)
    in_flight = _pending(cluster, "graceful-0")
    assert in_flight == 10  # one batch (AUTOTRIAGE_WORKER_BATCH_SIZE)
    worker.send_signal(signal.SIGTERM)
    time.sleep(1.0)
    assert worker.poll() is None  # still finishing its batch
    lock.close()
    assert worker.wait(timeout=30) == 0
    assert cluster.count("SELECT count(*) FROM predictions") == in_flight  # that batch, no more
    assert cluster.queue.backlog() == 25 - in_flight
    assert _pending(cluster, "graceful-0") == 0  # acknowledged, and nothing new claimed


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("n_workers", [2, 4])
def test_workers_on_one_stream_process_every_ticket_once(
    cluster: Cluster, n_workers: int
) -> None:
    names = [f"w{i}" for i in range(n_workers)]
    for name in names:
        cluster.start(name)
    cluster.wait_consuming(*names)
    ids = cluster.submit(600)
    cluster.queue.publish(ids)
    wait_for(lambda: cluster.count("SELECT count(*) FROM tickets WHERE status = 'received'")
             == 0, timeout=120)
    assert set(cluster.stop_all().values()) == {0}
    assert cluster.count("SELECT count(*) FROM predictions") == 600
    assert cluster.count("SELECT count(DISTINCT ticket_id) FROM predictions") == 600
    # Each worker reports the tickets it classified: together exactly once each.
    assert sum(_processed(cluster, name) for name in names) == 600
    assert cluster.queue.backlog() == 0


# --- Redis going away ---------------------------------------------------------------------


class OwnRedis:
    """A redis-server of this test alone, so it can be stopped and started again."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            _service_missing("redis-server", FileNotFoundError("redis-server is not on PATH"))
        self.process = subprocess.Popen(
            [str(binary), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        wait_for(up, timeout=10)
        client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.mark.redis
def test_redis_outage_refuses_new_tickets_and_loses_no_accepted_one(
    own_redis: OwnRedis, tmp_path: Path, demo_model: TriageModel
) -> None:
    settings = Settings(data_dir=tmp_path / "data", label_fields=FIELDS, queue_backend="redis",
                        redis_url=own_redis.url, _env_file=None)  # type: ignore[call-arg]
    migrate.upgrade(settings.resolved_database_url)
    _store_model(settings.resolved_model_dir, demo_model)
    rt = Runtime(settings)
    with TestClient(create_app(settings, runtime=rt, background=False)) as client:
        for i in range(2):
            assert client.post("/api/v1/tickets", json={"subject": "s", "body": f"b{i}"}
                               ).status_code == 202
        own_redis.stop()  # Redis goes away with both messages (no persistence)

        refused = client.post("/api/v1/tickets", json={"subject": "s", "body": "while down"})
        assert refused.status_code == 503
        assert refused.json()["code"] == "queue_unavailable"
        assert f"Redis at 127.0.0.1:{own_redis.port}" in refused.json()["detail"]
        assert "nothing was stored" in refused.json()["detail"]
        assert refused.headers["Retry-After"] == "5"
        ready = client.get("/ready").json()
        assert ready["checks"]["queue"].startswith("unreachable")
        with rt.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Ticket)) == 2
            # Had Redis failed just after a commit, the ticket would stay stored and received:
            assert admission.publish_accepted(rt.queue, [1]) is False

        own_redis.start()  # back, empty
        assert sweep(rt.sessions, rt.queue, timedelta(0)) == 2  # the database remembers
        assert client.post("/api/v1/tickets", json={"subject": "s", "body": "after"}
                           ).status_code == 202
        worker = Worker(rt.sessions, rt.queue, rt.models, rt.policy, name="w", batch_size=10)
        wait_for(lambda: worker.run_once(block_seconds=0.1) == 0 and rt.queue.backlog() == 0)
        with rt.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Prediction)) == 3
            assert session.scalar(select(func.count()).select_from(Ticket)
                                  .where(Ticket.status == "received")) == 0


# --- the database going away ----------------------------------------------------------------


def test_database_unreachable_answers_503_and_readiness_says_so(
    tmp_path: Path, demo_model: TriageModel
) -> None:
    closed = f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/test"
    settings = Settings(data_dir=tmp_path / "data", label_fields=FIELDS, database_url=closed,
                        _env_file=None)  # type: ignore[call-arg]
    _store_model(settings.resolved_model_dir, demo_model)
    rt = Runtime(settings)
    with TestClient(create_app(settings, runtime=rt, background=False)) as client:
        answer = client.post("/api/v1/tickets", json={"subject": "s", "body": "b"})
        assert answer.status_code == 503
        assert answer.json()["code"] == "database_unavailable"
        assert "database is unavailable" in answer.json()["detail"]
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"].startswith("unreachable")

        # A worker cannot reach it either: the message goes back without using up an attempt.
        rt.queue.publish([1])
        worker = Worker(rt.sessions, rt.queue, rt.models, rt.policy, name="w", batch_size=10,
                        max_attempts=1)
        with pytest.raises(Exception, match="connect|Connection"):
            worker.run_once(block_seconds=0)
        [again] = rt.queue.consume("w", 10, 0)
        assert again.attempts == 1 and rt.queue.dead_letter_count() == 0
