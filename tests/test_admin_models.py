"""Promotion, rollback, history, retraining and the shadow challenger through the real API, the
real worker and the CLI (with the folder store; tests/test_model_registry.py covers MLflow)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from autotriage.cli import app as cli_app
from autotriage.config import Settings
from autotriage.demo_data import generate_tickets, write_tickets
from autotriage.ml.model import TriageModel, ticket_text
from autotriage.runtime import Runtime
from autotriage.storage import model_repository as repo
from autotriage.storage import repository
from autotriage.worker.loop import Worker
from autotriage.worker.shadow import ShadowPredictor
from tests.conftest import FIELDS, wait_for


@pytest.fixture(scope="module")
def challenger_model() -> TriageModel:
    tickets = generate_tickets(300, seed=31)
    texts = [ticket_text(t["subject"], t["body"]) for t in tickets]
    return TriageModel(FIELDS).fit(texts, {f: [t[f] for t in tickets] for f in FIELDS})


def test_promote_rollback_and_history(client: TestClient, runtime: Runtime,
                                      stored_model: TriageModel,
                                      challenger_model: TriageModel) -> None:
    runtime.store.save(challenger_model)
    assert client.post("/api/v1/admin/models/nope/promote").status_code == 404
    again = client.post(f"/api/v1/admin/models/{stored_model.version}/promote")
    assert again.status_code == 409 and "already the champion" in again.json()["detail"]
    assert client.post("/api/v1/admin/models/rollback").status_code == 409  # no history yet

    promoted = client.post(f"/api/v1/admin/models/{challenger_model.version}/promote",
                           json={"reason": "shadow agreement is higher"},
                           headers={"X-User": "maria"})
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["previous_version"] == stored_model.version
    assert runtime.store.champion_version() == challenger_model.version
    assert runtime.improvement.watcher.check()  # what every process's poll does
    assert runtime.models.version == challenger_model.version

    back = client.post("/api/v1/admin/models/rollback", headers={"X-User": "maria"})
    assert back.status_code == 200 and back.json()["version"] == stored_model.version
    listing = client.get("/api/v1/admin/models").json()
    assert listing["champion"] == stored_model.version
    assert [(e["action"], e["version"], e["actor"]) for e in listing["history"]] == [
        ("rollback", stored_model.version, "maria"),
        ("promote", challenger_model.version, "maria"),
    ]
    assert listing["history"][1]["reason"] == "shadow agreement is higher"
    assert {v["version"] for v in listing["versions"]} == {stored_model.version,
                                                           challenger_model.version}
    assert client.post("/api/v1/admin/models/x/promote", json={"bogus": 1}).status_code == 422


def test_retrain_api(client: TestClient, runtime: Runtime, stored_model: TriageModel,
                     tmp_path: Path) -> None:
    base = runtime.settings.data_dir / "demo" / "tickets.csv"  # the default base file
    write_tickets(base, generate_tickets(300, seed=4))
    with runtime.sessions() as session:
        assert repo.try_lock(session, "retrain", "another-machine", timedelta(minutes=5))
        session.commit()
    busy = client.post("/api/v1/admin/models/retrain", json={"dry_run": True})
    assert busy.status_code == 409 and "another-machine" in busy.json()["detail"]
    with runtime.sessions() as session:
        repo.release_lock(session, "retrain", "another-machine")
        session.commit()

    started = client.post("/api/v1/admin/models/retrain", json={"dry_run": True},
                          headers={"X-User": "lee"})
    assert started.status_code == 202, started.text
    status_url = started.json()["status_url"]

    def finished() -> bool:
        return client.get(status_url).json()["status"] != "running"

    wait_for(finished, timeout=120)
    run = client.get(status_url).json()
    assert run["status"] == "evaluated", run["error"]
    assert run["actor"] == "lee" and run["dry_run"] is True
    assert run["decided_by"] == run["report"]["gate"]["decided_by"]
    assert runtime.store.versions() == [stored_model.version], "a dry run stores nothing"
    assert client.get("/api/v1/admin/models/retrain/999").status_code == 404


def test_shadow_challenger(tmp_path: Path, stored_model: TriageModel,
                           challenger_model: TriageModel, migrated: Settings) -> None:
    settings = Settings(**{**migrated.model_dump(), "shadow_challenger": True})
    runtime = Runtime(settings)
    runtime.store.save(challenger_model)
    runtime.store.set_alias("challenger", challenger_model.version)
    runtime.load_champion()
    runtime.improvement.watcher.check()
    assert runtime.improvement.challenger.version == challenger_model.version
    worker = Worker(runtime.sessions, runtime.queue, runtime.models, runtime.policy,
                    name="shadow-test", batch_size=64, shadow=runtime.improvement.shadow)
    tickets = generate_tickets(12, seed=8)
    try:
        with TestClient(_app(settings, runtime)) as client:
            ids = client.post("/api/v1/tickets/batch", json={"tickets": [
                {"subject": t["subject"], "body": t["body"]} for t in tickets]}).json()["ids"]
            _drain(runtime, worker.run_once)
            with runtime.sessions() as session:
                repository.add_labels(session, [
                    {"ticket_id": tid, "field": "queue", "value": t["queue"],
                     "source": "review", "actor": "ann"}
                    for tid, t in zip(ids, tickets, strict=True)])
                session.commit()
            detail = client.get(f"/api/v1/tickets/{ids[0]}").json()
            assert detail["model_version"] == stored_model.version  # the shadow changed nothing
            report = client.get("/api/v1/admin/models/shadow").json()
    finally:
        runtime.close()
    assert isinstance(runtime.improvement.shadow, ShadowPredictor)
    assert runtime.improvement.shadow.stored == len(ids)
    queue = report["fields"]["queue"]
    assert report["version"] == challenger_model.version and queue["labelled"] == len(ids)
    assert 0 <= queue["challenger_agreement"] <= 1 and 0 <= queue["champion_agreement"] <= 1


def _app(settings: Settings, runtime: Runtime):  # type: ignore[no-untyped-def]
    from autotriage.app import create_app

    return create_app(settings, runtime=runtime, background=False)


def _drain(runtime: Runtime, run_once: Callable[..., int]) -> None:
    while runtime.queue.backlog():
        run_once(block_seconds=0)


def test_cli_models_promote_rollback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     demo_model: TriageModel,
                                     challenger_model: TriageModel) -> None:
    from autotriage.ml.store import ModelStore

    data_dir = tmp_path / "data"
    monkeypatch.setenv("AUTOTRIAGE_DATA_DIR", str(data_dir))
    store = ModelStore(data_dir / "models")
    store.save(demo_model)
    store.save(challenger_model)
    store.set_champion(demo_model.version)
    runner = CliRunner()
    result = runner.invoke(cli_app, ["promote", challenger_model.version, "--reason", "better",
                                     "--actor", "kim"])
    assert result.exit_code == 0, result.output
    assert store.champion_version() == challenger_model.version
    result = runner.invoke(cli_app, ["rollback", "--actor", "kim"])
    assert result.exit_code == 0, result.output
    assert store.champion_version() == demo_model.version
    result = runner.invoke(cli_app, ["models"])
    assert result.exit_code == 0
    assert "rollback" in result.output and "by kim: better" in result.output
    assert runner.invoke(cli_app, ["promote", "nope"]).exit_code == 2
