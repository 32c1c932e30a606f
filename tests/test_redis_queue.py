"""The Redis Streams queue against the real server: delivery, reclaim, attempts, dead letters,
backpressure and the sweeper; the dead-letter behaviour is the same on the memory queue."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from typer.testing import CliRunner

from autotriage.app import create_app
from autotriage.cli import app as cli_app
from autotriage.config import Settings
from autotriage.domain import intake
from autotriage.errors import InvalidInput
from autotriage.ml.model import TriageModel
from autotriage.ml.store import ModelStore
from autotriage.queue.memory import MemoryQueue
from autotriage.queue.redis_streams import RedisStreamsQueue
from autotriage.runtime import Runtime
from autotriage.storage import migrate
from autotriage.storage.tables import Prediction, Ticket, TicketStatus
from autotriage.worker.loop import Worker, sweep

from .conftest import FIELDS

pytestmark = pytest.mark.redis


def _queue(url: str, stream: str, **kwargs: int) -> RedisStreamsQueue:
    return RedisStreamsQueue(url, stream=stream, group="g", **kwargs)


def test_publish_consume_ack_and_backlog(redis_stream: tuple[str, str]) -> None:
    queue = _queue(*redis_stream)
    assert queue.backlog() == 0 and queue.oldest_unacked() is None
    queue.publish([11, 12, 13])
    assert queue.backlog() == 3
    oldest = queue.oldest_unacked()
    assert oldest is not None and abs((datetime.now(UTC) - oldest).total_seconds()) < 5
    first = queue.consume("a", 2, 0.1)
    assert [(m.ticket_id, m.attempts) for m in first] == [(11, 1), (12, 1)]
    assert queue.backlog() == 3  # delivered is not done
    queue.ack(first)
    assert queue.backlog() == 1
    rest = queue.consume("a", 10, 0.1)
    assert [m.ticket_id for m in rest] == [13]
    queue.ack(rest)
    assert queue.backlog() == 0 and queue.oldest_unacked() is None
    assert queue.consume("a", 10, 0.05) == []
    queue.close()


def test_a_dead_consumers_messages_are_reclaimed_and_counted(
    redis_stream: tuple[str, str],
) -> None:
    queue = _queue(*redis_stream, claim_idle_ms=200)
    queue.publish([7])
    [taken] = queue.consume("dies", 10, 0.1)  # never acknowledged: its consumer "died"
    assert queue.consume("survivor", 10, 0.05) == []  # not idle long enough yet
    time.sleep(0.25)
    [again] = queue.consume("survivor", 10, 0.05)
    assert (again.id, again.ticket_id, again.attempts) == (taken.id, 7, 2)
    queue.ack([again])
    assert queue.backlog() == 0


def test_nack_counts_an_attempt_and_release_does_not(redis_stream: tuple[str, str]) -> None:
    queue = _queue(*redis_stream, claim_idle_ms=1_000, retry_delay_ms=100)
    queue.publish([1, 2])
    failed, unlucky = queue.consume("w", 10, 0.1)
    queue.nack([failed])
    queue.release([unlucky])
    assert queue.consume("w", 10, 0.05) == []  # both wait out the retry delay
    time.sleep(0.15)
    redelivered = {m.ticket_id: m.attempts for m in queue.consume("w", 10, 0.05)}
    assert redelivered == {1: 2, 2: 1}


def test_dead_letters_can_be_listed_and_redriven(redis_stream: tuple[str, str]) -> None:
    queue = _queue(*redis_stream)
    queue.publish([5, 6])
    messages = queue.consume("w", 10, 0.1)
    queue.dead_letter(messages[:1], "ValueError: broken")
    assert queue.backlog() == 1 and queue.dead_letter_count() == 1
    [letter] = queue.dead_letters(10)
    assert (letter.ticket_id, letter.attempts, letter.reason) == (5, 1, "ValueError: broken")
    with pytest.raises(InvalidInput):
        queue.redrive(["not-an-id"])
    assert queue.redrive(["1-1"]) == []  # unknown ids are ignored
    assert [x.ticket_id for x in queue.redrive([letter.id])] == [5]
    assert queue.dead_letter_count() == 0
    assert sorted(m.ticket_id for m in queue.consume("w", 10, 0.1)) == [5]


def test_a_malformed_message_is_set_aside(redis_stream: tuple[str, str]) -> None:
    url, stream = redis_stream
    queue = _queue(url, stream)
    queue.publish([1])
    redis.Redis.from_url(url).xadd(stream, {"something": "else"})
    assert [m.ticket_id for m in queue.consume("w", 10, 0.1)] == [1]
    assert "malformed" in queue.dead_letters(10)[0].reason


# --- the worker on both queues -------------------------------------------------------------


@pytest.fixture(params=["memory", "redis"])
def backend_runtime(
    request: pytest.FixtureRequest, tmp_path: Path, demo_model: TriageModel
) -> Iterator[Runtime]:
    extra: dict[str, object] = {}
    if request.param == "redis":
        url, stream = request.getfixturevalue("redis_stream")
        extra = {"queue_backend": "redis", "redis_url": url, "redis_stream": stream}
    settings = Settings(data_dir=tmp_path / "data", label_fields=FIELDS, claim_idle_ms=100,
                        retry_delay_ms=100, max_attempts=3, max_backlog=3,
                        _env_file=None, **extra)  # type: ignore[call-arg, arg-type]
    migrate.upgrade(settings.resolved_database_url)
    store = ModelStore(settings.resolved_model_dir)
    store.save(demo_model)
    store.set_champion(demo_model.version)
    rt = Runtime(settings)
    rt.load_champion()
    yield rt
    rt.close()


def _worker(rt: Runtime) -> Worker:
    return Worker(rt.sessions, rt.queue, rt.models, rt.policy, name="w", batch_size=10,
                  max_attempts=rt.settings.max_attempts)


def _submit(rt: Runtime, n: int) -> list[int]:
    with rt.sessions() as session:
        accepted = intake.submit(
            session, [intake.NewTicket("Refund", f"Please refund order {i}") for i in range(n)],
            max_chars=1000)
        session.commit()
    return [a.id for a in accepted]


def _run_until(worker: Worker, done: Callable[[], bool], rounds: int = 60) -> None:
    for _ in range(rounds):
        if done():
            return
        worker.run_once(block_seconds=0.05)
        time.sleep(0.03)
    raise AssertionError("the worker did not get there")


def test_a_poison_ticket_is_dead_lettered_then_redriven_once_fixed(
    backend_runtime: Runtime,
) -> None:
    rt = backend_runtime
    good, poison = _submit(rt, 2)
    rt.queue.publish([poison])
    worker = _worker(rt)
    _run_until(worker, lambda: rt.queue.backlog() == 0)
    # Poison: a prediction by this very model exists while the ticket is `received` again, so
    # every attempt breaks the unique (ticket, model version) constraint.
    with rt.sessions() as session:
        session.execute(update(Ticket).where(Ticket.id == poison).values(status="received"))
        session.commit()
    rt.queue.publish([poison, good])
    _run_until(worker, lambda: rt.queue.dead_letter_count() == 1)
    [letter] = rt.queue.dead_letters(10)
    assert letter.ticket_id == poison and letter.attempts == 3
    assert "IntegrityError" in letter.reason
    with rt.sessions() as session:
        assert session.get(Ticket, poison).status == TicketStatus.FAILED  # type: ignore[union-attr]
        assert session.get(Ticket, good).status != TicketStatus.RECEIVED  # type: ignore[union-attr]
    assert sweep(rt.sessions, rt.queue, timedelta(0)) == 0  # failed tickets are left alone

    with rt.sessions() as session:  # an operator fixes the cause, then re-drives through the API
        session.execute(delete(Prediction).where(Prediction.ticket_id == poison))
        session.commit()
    with TestClient(create_app(rt.settings, runtime=rt, background=False)) as client:
        listed = client.get("/api/v1/dead-letters").json()
        assert listed["total"] == 1 and listed["items"][0]["ticket_id"] == poison
        assert client.post("/api/v1/dead-letters/redrive", json={}).status_code == 422
        answer = client.post("/api/v1/dead-letters/redrive",
                             json={"ids": [letter.id, "9-9"] if rt.settings.queue_backend ==
                                   "redis" else [letter.id, "dead-999"]})
        assert answer.status_code == 200
        assert [x["ticket_id"] for x in answer.json()["redriven"]] == [poison]
        assert len(answer.json()["not_found"]) == 1
        _run_until(worker, lambda: rt.queue.backlog() == 0)  # (the app closes the queue on exit)
    with rt.sessions() as session:
        assert session.get(Ticket, poison).status != TicketStatus.FAILED  # type: ignore[union-attr]
        assert session.scalar(select(func.count()).select_from(Prediction)) == 2


def test_intake_refuses_above_the_backlog_with_retry_after(backend_runtime: Runtime) -> None:
    rt = backend_runtime  # max_backlog=3
    with TestClient(create_app(rt.settings, runtime=rt, background=False)) as client:
        batch = {"tickets": [{"subject": "s", "body": f"b {i}"} for i in range(3)]}
        assert client.post("/api/v1/tickets/batch", json=batch).status_code == 202
        refused = client.post("/api/v1/tickets", json={"subject": "s", "body": "one more"})
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == str(rt.settings.retry_after_seconds)
        assert refused.json()["code"] == "overloaded"
        assert "3 tickets are waiting" in refused.json()["detail"]
        assert client.post("/api/v1/tickets/batch", json=batch).status_code == 503
        with rt.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Ticket)) == 3
        _run_until(_worker(rt), lambda: rt.queue.backlog() == 0)
        assert client.post("/api/v1/tickets", json={"subject": "s", "body": "now"}).status_code \
            == 202


def test_the_sweeper_skips_queued_tickets_and_recovers_lost_ones(
    backend_runtime: Runtime,
) -> None:
    rt = backend_runtime
    ids = _submit(rt, 2)
    rt.queue.publish(ids)
    # Both are waiting in the queue: sweeping now would only duplicate them.
    assert sweep(rt.sessions, rt.queue, timedelta(0)) == 0
    if rt.settings.queue_backend == "redis":  # Redis loses its data (a restart, no persistence)
        redis.Redis.from_url(rt.settings.redis_url).delete(rt.settings.redis_stream)
    else:
        rt.queue = MemoryQueue()  # a restarted process: the in-memory queue starts empty
    assert sweep(rt.sessions, rt.queue, timedelta(0)) == 2
    worker = _worker(rt)
    _run_until(worker, lambda: rt.queue.backlog() == 0)
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Prediction)) == 2


def test_dead_letter_cli(redis_stream: tuple[str, str], monkeypatch: pytest.MonkeyPatch,
                         tmp_path: Path) -> None:
    url, stream = redis_stream
    queue = _queue(url, stream)
    queue.publish([42])
    queue.dead_letter(queue.consume("w", 1, 0.1), "RuntimeError: boom")
    for name, value in {"QUEUE_BACKEND": "redis", "REDIS_URL": url, "REDIS_STREAM": stream,
                        "REDIS_GROUP": "g", "DATA_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(f"AUTOTRIAGE_{name}", value)
    listed = CliRunner().invoke(cli_app, ["deadletters", "list"])
    assert listed.exit_code == 0, listed.output
    row = json.loads(listed.stdout.splitlines()[0])
    assert row["ticket_id"] == 42 and row["reason"] == "RuntimeError: boom"
    migrate.upgrade(Settings(_env_file=None).resolved_database_url)  # type: ignore[call-arg]
    both = CliRunner().invoke(cli_app, ["deadletters", "redrive", row["id"], "--all"])
    assert both.exit_code == 2
    moved = CliRunner().invoke(cli_app, ["deadletters", "redrive", row["id"]])
    assert moved.exit_code == 0, moved.output
    assert queue.dead_letter_count() == 0 and queue.backlog() == 1
