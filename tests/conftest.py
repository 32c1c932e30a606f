"""Shared fixtures: real SQLite files, a real trained model, the real ASGI app; PostgreSQL and
Redis from the environment (CI starts them; `.ci/run` fails rather than skip when CI is set)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from autotriage.app import create_app
from autotriage.config import Settings
from autotriage.demo_data import generate_tickets
from autotriage.ml.model import TriageModel, ticket_text
from autotriage.ml.store import ModelStore
from autotriage.runtime import Runtime
from autotriage.storage import migrate

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
POSTGRES_URL = os.environ.get(
    "AUTOTRIAGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("AUTOTRIAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
FIELDS = ("queue", "priority", "type")
# Models in a plain folder unless a test asks for the MLflow registry (issue 5): creating an
# MLflow store's schema takes seconds, and most tests only need a champion to serve.
os.environ.setdefault("AUTOTRIAGE_MODEL_REGISTRY", "local")
# Apps a test builds itself run without authentication (they test other things); the `client`
# fixture and the security tests turn it on (issue 9). The product default is on.
os.environ.setdefault("AUTOTRIAGE_AUTH_ENABLED", "false")


@pytest.fixture(scope="session")
def demo_model() -> TriageModel:
    """A real model trained on 1,500 demo tickets (a few seconds, once per run)."""
    tickets = generate_tickets(1_500, seed=11)
    texts = [ticket_text(t["subject"], t["body"]) for t in tickets]
    return TriageModel(FIELDS).fit(texts, {f: [t[f] for t in tickets] for f in FIELDS})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", label_fields=FIELDS, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def stored_model(settings: Settings, demo_model: TriageModel) -> TriageModel:
    store = ModelStore(settings.resolved_model_dir)
    store.save(demo_model)
    store.set_champion(demo_model.version)
    return demo_model


@pytest.fixture
def migrated(settings: Settings) -> Settings:
    migrate.upgrade(settings.resolved_database_url)
    return settings


@pytest.fixture
def runtime(migrated: Settings, stored_model: TriageModel) -> Iterator[Runtime]:
    rt = Runtime(migrated)
    rt.load_champion()
    yield rt
    rt.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    """The app without background threads: tests drive the worker with `drain`. Authentication
    is on and the client sends an admin's API key (`X-User: name` acts as that user, issue 9)."""
    from tests.security_helpers import ActAs

    secured = runtime.settings.model_copy(update={"auth_enabled": True})
    with TestClient(create_app(secured, runtime=runtime, background=False)) as c:
        c.auth = ActAs(runtime.sessions)
        yield c


@pytest.fixture
def drain(runtime: Runtime) -> Callable[[], int]:
    from autotriage.worker.loop import Worker

    worker = Worker(runtime.sessions, runtime.queue, runtime.models, runtime.policy,
                    name="test", batch_size=256)

    def run() -> int:
        handled = 0
        while runtime.queue.backlog():
            handled += worker.run_once(block_seconds=0)
        return handled

    return run


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met within the timeout")


def _service_missing(kind: str, error: Exception) -> None:
    message = f"{kind} is not reachable ({error})"
    if os.environ.get("CI"):
        pytest.fail(message + "; CI must run this test (.ci/run starts the server)")
    pytest.skip(message)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema in the test database, dropped afterwards (tests may run side by side)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means the server is missing
        admin.dispose()
        _service_missing("PostgreSQL", exc)
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def redis_stream() -> Iterator[tuple[str, str]]:
    """(redis_url, a stream name of its own) on the shared Redis server; the stream, its
    dead-letter stream and group are deleted afterwards (tests may run side by side)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any connection failure means the server is missing
        client.close()
        _service_missing("Redis", exc)
    stream = f"test:{uuid.uuid4().hex[:12]}"
    yield REDIS_URL, stream
    client.delete(stream, f"{stream}:dead")
    client.close()
