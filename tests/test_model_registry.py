"""The MLflow-backed store, retraining end to end, and hot reload under concurrent requests.

MLflow creates its store's schema on first use (seconds); the tests copy one freshly created
store file instead of creating it again for every test."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from autotriage.app import create_app
from autotriage.config import Settings
from autotriage.demo_data import generate_tickets, write_tickets
from autotriage.domain import model_admin
from autotriage.errors import NotFound
from autotriage.ml.model import TriageModel, ticket_text
from autotriage.ml.store import RegistryModelStore, open_store
from autotriage.runtime import Runtime
from autotriage.storage import migrate, repository
from autotriage.worker.retrain import run_retrain
from tests.conftest import FIELDS, wait_for


@pytest.fixture(scope="module")
def mlflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from autotriage.ml.registry import MlflowRegistry

    folder = tmp_path_factory.mktemp("mlflow-template")
    registry = MlflowRegistry(f"sqlite:///{folder / 'mlflow.db'}", "template", None)
    registry.client.search_registered_models()  # creates the schema
    return folder / "mlflow.db"


@pytest.fixture(scope="module")
def second_model() -> TriageModel:
    tickets = generate_tickets(400, seed=23)
    texts = [ticket_text(t["subject"], t["body"]) for t in tickets]
    return TriageModel(FIELDS).fit(texts, {f: [t[f] for t in tickets] for f in FIELDS})


def mlflow_settings(tmp_path: Path, template: Path, **extra: object) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir(parents=True)
    shutil.copy(template, data_dir / "mlflow.db")
    settings = Settings(data_dir=data_dir, label_fields=FIELDS, model_registry="mlflow",  # type: ignore[call-arg]
                        drift_check_interval_seconds=0, _env_file=None, **extra)
    migrate.upgrade(settings.resolved_database_url)
    return settings


def test_registry_store(tmp_path: Path, mlflow_template: Path, demo_model: TriageModel,
                        second_model: TriageModel) -> None:
    settings = mlflow_settings(tmp_path, mlflow_template)
    store = open_store(settings)
    assert isinstance(store, RegistryModelStore) and store.champion_version() is None
    store.save(demo_model, report={"fields": {"queue": {"accuracy": 0.9, "macro_f1": 0.8}}})
    store.save(second_model)
    store.set_champion(demo_model.version)
    store.set_alias("challenger", "2")  # the registry's number works too
    described = {v.version: v for v in store.describe()}
    assert described[demo_model.version].aliases == ("champion",)
    assert described[second_model.version].aliases == ("challenger",)
    assert described[demo_model.version].registry_version == "1"
    assert store.registry.run_metrics(demo_model.version)["queue.macro_f1"] == 0.8
    with pytest.raises(NotFound):
        store.set_alias("champion", "no-such-version")
    # A machine that never saw the model downloads it once into its cache.
    shutil.rmtree(store.versions_dir)
    assert store.load_champion().version == demo_model.version
    assert (store.model_dir(demo_model.version) / "model.joblib").exists()
    store.clear_alias("challenger")
    assert store.alias_version("challenger") is None


def _label_tickets(settings: Settings, n: int) -> None:
    from autotriage.storage.db import make_engine, make_session_factory

    engine = make_engine(settings.resolved_database_url)
    tickets = generate_tickets(n, seed=99)
    with make_session_factory(engine)() as session:
        ids = repository.insert_tickets(
            session, [{"subject": t["subject"], "body": t["body"]} for t in tickets])
        repository.add_labels(session, [
            {"ticket_id": tid, "field": f, "value": t[f], "source": "review", "actor": "ann"}
            for tid, t in zip(ids, tickets, strict=True) for f in FIELDS])
        session.commit()
    engine.dispose()


def test_retrain_end_to_end(tmp_path: Path, mlflow_template: Path,
                            second_model: TriageModel) -> None:
    base = tmp_path / "base.csv"
    write_tickets(base, generate_tickets(400, seed=5))
    settings = mlflow_settings(tmp_path, mlflow_template, retrain_base_data=base,
                               promotion_bootstrap_samples=200)
    store = open_store(settings)
    store.save(second_model)  # a weak champion: 400 tickets
    store.set_champion(second_model.version)
    _label_tickets(settings, 40)
    runtime = Runtime(settings)
    try:
        dry = run_retrain(runtime.sessions, store, settings, trigger="manual", actor="tester",
                          dry_run=True)
        assert dry.status == "evaluated", dry.error
        assert len(store.versions()) == 1, "a dry run registers nothing"
        comparison = json.loads(
            (settings.data_dir / "retrain" / str(dry.id) / "comparison.json").read_text())
        gate = comparison["gate"]
        assert set(gate["rules"]) == {"gain", "significance", "class_f1", "calibration",
                                      "coverage"}
        assert comparison["data"]["labelled_tickets"] == 40
        assert comparison["evaluation"]["recent_rows"] == 8  # the newest 20% of labels

        run = run_retrain(runtime.sessions, store, settings, trigger="manual", actor="tester",
                          dry_run=False)
        assert run.status in ("promoted", "rejected"), run.error
        assert run.decided_by == run.report["gate"]["decided_by"]  # type: ignore[index]
        new = run.challenger_version
        assert new in store.versions()
        alias = "champion" if run.status == "promoted" else "challenger"
        assert store.alias_version(alias) == new
        with runtime.sessions() as session:
            view = model_admin.overview(session, store, serving=None)
        assert [e["action"] for e in view["history"]][-1] == "challenger"
        # The comparison is in the MLflow run's artifacts, with the model.
        run_id = store.registry.find(new).run_id  # type: ignore[attr-defined, arg-type]
        names = {a.path for a in store.registry.client.list_artifacts(run_id, "model")}  # type: ignore[attr-defined]
        assert {"model/model.joblib", "model/report.json"} <= names
    finally:
        runtime.close()


@pytest.fixture
def served(tmp_path: Path, mlflow_template: Path, demo_model: TriageModel,
           second_model: TriageModel) -> Iterator[tuple[TestClient, Runtime]]:
    settings = mlflow_settings(tmp_path, mlflow_template, embedded_workers=0,
                               model_reload_seconds=0.2)
    store = open_store(settings)
    store.save(demo_model)
    store.save(second_model)
    store.set_champion(demo_model.version)
    runtime = Runtime(settings)
    with TestClient(create_app(settings, runtime=runtime, background=True)) as client:
        yield client, runtime


def test_promote_while_requests_run(served: tuple[TestClient, Runtime], demo_model: TriageModel,
                                    second_model: TriageModel) -> None:
    client, runtime = served
    results: list[tuple[int, str | None]] = []
    stop = threading.Event()

    def hammer(n: int) -> None:
        while not stop.is_set():
            response = client.post("/api/v1/classify",
                                   json={"subject": f"invoice {n}", "body": "charged twice"})
            results.append((response.status_code, response.json().get("model_version")))

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(results) >= 20, timeout=60)
    promoted = client.post(f"/api/v1/admin/models/{second_model.version}/promote",
                           json={"reason": "better on golden"}, headers={"X-User": "ops"})
    assert promoted.status_code == 200, promoted.text
    wait_for(lambda: runtime.models.version == second_model.version, timeout=60)
    seen = len(results)
    wait_for(lambda: len(results) >= seen + 20, timeout=60)
    stop.set()
    for thread in threads:
        thread.join()
    assert [code for code, _ in results if code != 200] == [], "no request failed"
    versions = [v for _, v in results]
    assert versions[0] == demo_model.version and versions[-1] == second_model.version
    switch = versions.index(second_model.version)
    assert demo_model.version not in versions[switch + 8:], "every request after the swap"
    listing = client.get("/api/v1/admin/models").json()
    assert listing["champion"] == listing["serving"] == second_model.version
    assert listing["history"][0]["actor"] == "ops"
    assert listing["history"][0]["previous_version"] == demo_model.version
