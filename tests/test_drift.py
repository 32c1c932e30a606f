"""Drift on real shifts (BANKING77 train vs its test: none; vs IT service-desk tickets: drift),
the reference profile made at training time, the API, the CLI and the retrain hook."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from threadpoolctl import threadpool_limits
from typer.testing import CliRunner

from autotriage.cli import app as cli
from autotriage.demo_data import generate_tickets
from autotriage.domain import intake
from autotriage.domain.drift import DriftMonitor
from autotriage.ml import drift, training
from autotriage.ml.model import TriageModel, ticket_text
from autotriage.ml.store import ModelStore
from autotriage.runtime import Runtime
from tests.conftest import SHARED_DATA

BANKING = SHARED_DATA / "banking77"
IT_TICKETS = SHARED_DATA / "it_tickets_topic_group" / "tickets.csv.gz"
CHECKS = {("text_length", None), ("language", None), ("oov_rate", None),
          ("predicted_label", "category"), ("confidence", "category"),
          ("domain_classifier", None)}


@pytest.fixture(scope="module")
def banking() -> tuple[TriageModel, dict]:
    """A BANKING77 model on 2,500 training rows; 2,000 other training rows are its held-out."""
    train = pd.read_csv(BANKING / "train.csv").sample(frac=1.0, random_state=0)
    fit, held_out = train.iloc[:2_500], train.iloc[2_500:4_500]
    with threadpool_limits(1):
        model = TriageModel(["category"]).fit(fit.text.tolist(),
                                              {"category": fit.category.tolist()})
    profile = drift.reference_profile(model, fit.text.tolist(), held_out=held_out.text.tolist())
    return model, profile


@pytest.fixture(scope="module")
def it_texts() -> list[str]:
    frame = pd.read_csv(IT_TICKETS)
    return frame.Document.sample(1_000, random_state=3).astype(str).tolist()


def _checks(report: dict) -> dict:
    return {(c["check"], c["field"]): c for c in report["checks"]}


def test_banking77_test_set_shows_no_drift(banking: tuple[TriageModel, dict]) -> None:
    model, profile = banking
    test = pd.read_csv(BANKING / "test.csv").text.tolist()
    report = drift.compare(profile, model, test)
    checks = _checks(report)
    assert report["status"] == "ok" and set(checks) == CHECKS
    assert not report["drift_detected"], [c for c in report["checks"] if c["drifted"]]
    assert report["severity"] < 1
    assert checks[("domain_classifier", None)]["score"] < 0.6
    json.dumps(report)  # served as JSON as it is


def test_it_tickets_show_drift(banking: tuple[TriageModel, dict], it_texts: list[str]) -> None:
    model, profile = banking
    report = drift.compare(profile, model, it_texts)
    checks = _checks(report)
    assert report["drift_detected"] and report["severity"] >= 1
    domain = checks[("domain_classifier", None)]
    assert domain["drifted"] and domain["score"] > 0.95
    assert domain["details"]["auc_lower_bound"] > 0.9 and domain["p_value"] < 1e-6
    for name in (("oov_rate", None), ("text_length", None), ("confidence", "category"),
                 ("predicted_label", "category")):
        assert checks[name]["drifted"], name
    assert not checks[("language", None)]["drifted"]  # both English: that check stays quiet


def test_reference_profile_is_bounded(banking: tuple[TriageModel, dict]) -> None:
    model, profile = banking
    assert profile["model_version"] == model.version and profile["n_texts"] == 2_500
    assert len(profile["texts"]) == drift.SAMPLE_SIZE
    assert max(len(t) for t in profile["texts"]) <= drift.SAMPLE_CHARS
    assert not profile["predictions_in_sample"]
    assert len(profile["predictions"]["category"]["confidences"]) == 2_000
    assert len(json.dumps(profile)) < 2_000_000


def test_too_few_tickets_is_insufficient_data(banking: tuple[TriageModel, dict]) -> None:
    model, profile = banking
    report = drift.compare(profile, model, ["my card is lost"] * 10)
    assert report["status"] == "insufficient_data" and report["checks"] == []
    assert not report["drift_detected"]


def test_training_keeps_a_reference_with_the_model(tmp_path: Path) -> None:
    frame = pd.DataFrame(generate_tickets(400, seed=2))
    train, test = training.split(frame, "queue", 0.25)
    model, report = training.train_and_evaluate(train, test, ["subject", "body"], ["queue"])
    store = ModelStore(tmp_path)
    location = store.save(model)
    profile = drift.load_reference(location, store.load(model.version))
    assert profile is not None and profile["model_version"] == model.version
    assert profile["n_texts"] == len(train) and not profile["predictions_in_sample"]
    assert "drift_reference" not in json.dumps(sorted(report))


@pytest.fixture(scope="module")
def demo_reference(demo_model: TriageModel) -> dict:
    tickets = generate_tickets(700, seed=3)
    texts = [ticket_text(t["subject"], t["body"]) for t in tickets]
    return drift.reference_profile(demo_model, texts[:500], held_out=texts[500:])


@pytest.fixture
def reference(runtime: Runtime, demo_reference: dict) -> dict:
    """The champion's reference, saved next to it, from demo tickets like those it learned."""
    model = runtime.models.model
    assert demo_reference["model_version"] == model.version
    drift.save_reference(runtime.store.versions_dir / model.version, demo_reference)
    return demo_reference


def _store(runtime: Runtime, bodies: list[str], subject: str = "") -> None:
    with runtime.sessions() as session:
        intake.submit(session, [intake.NewTicket(subject, body) for body in bodies],
                      max_chars=20_000)
        session.commit()


def test_api_reports_drift_and_exports_it(
    client: TestClient, runtime: Runtime, reference: dict, it_texts: list[str]
) -> None:
    _store(runtime, it_texts[:300])
    response = client.get("/api/v1/drift", params={"window": 300})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["drift_detected"] and report["current"]["n_texts"] == 300
    assert report["model_version"] == runtime.models.model.version
    metrics = client.get("/metrics").text
    assert 'autotriage_drift_detected{check="domain_classifier",field=""} 1.0' in metrics
    assert 'autotriage_drift_score{check="confidence",field="queue"}' in metrics
    page = client.get("/api/v1/drift", params={"window": 300, "format": "html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "Drift detected" in page.text and "<script" not in page.text


def test_api_sees_no_drift_in_tickets_like_the_training_data(
    client: TestClient, runtime: Runtime, reference: dict
) -> None:
    tickets = generate_tickets(300, seed=99)
    with runtime.sessions() as session:
        intake.submit(session, [intake.NewTicket(t["subject"], t["body"]) for t in tickets],
                      max_chars=20_000)
        session.commit()
    report = client.get("/api/v1/drift", params={"window": 300, "refresh": "true"}).json()
    assert report["status"] == "ok"
    assert not report["drift_detected"], [c for c in report["checks"] if c["drifted"]]


def test_api_errors_say_what_to_fix(client: TestClient, runtime: Runtime) -> None:
    missing = client.get("/api/v1/drift")
    assert missing.status_code == 409 and missing.json()["code"] == "no_drift_reference"
    assert "--reference-data" in missing.json()["detail"]
    small = client.get("/api/v1/drift", params={"window": 5})
    assert small.status_code == 422 and "window must be between" in small.json()["detail"]
    assert client.get("/api/v1/drift", params={"format": "pdf"}).status_code == 422


def test_retrain_hooks_run_when_severity_reaches_the_setting(
    runtime: Runtime, reference: dict, it_texts: list[str]
) -> None:
    _store(runtime, it_texts[:300])
    eager = runtime.settings.model_copy(update={"drift_retrain_above": 1.0})
    monitor = DriftMonitor(eager, runtime.sessions, runtime.models, runtime.store)
    calls: list[dict] = []
    monitor.on_drift(lambda report: 1 / 0)  # a failing hook does not stop the others
    monitor.on_drift(calls.append)
    report = monitor.report(window=300)
    assert calls == [report]
    assert monitor.report(window=300, max_age=60) is report and len(calls) == 1  # reused
    quiet = DriftMonitor(runtime.settings, runtime.sessions, runtime.models, runtime.store)
    quiet.on_drift(calls.append)
    quiet.report(window=300)
    assert len(calls) == 1  # drift_retrain_above = 0: never


def test_cli_drift_on_a_file_and_on_recent_tickets(
    runtime: Runtime, reference: dict, it_texts: list[str], tmp_path: Path
) -> None:
    current = tmp_path / "current.csv"
    pd.DataFrame({"subject": "", "body": it_texts[:300]}).to_csv(current, index=False)
    env = {"AUTOTRIAGE_DATA_DIR": str(runtime.settings.data_dir)}
    out, html = tmp_path / "drift.json", tmp_path / "drift.html"
    result = CliRunner().invoke(cli, ["drift", "--current-data", str(current), "--output",
                                      str(out), "--html", str(html), "--fail-on-drift"], env=env)
    assert result.exit_code == 1, result.output
    assert json.loads(out.read_text())["drift_detected"] is True
    assert "Drift detected" in html.read_text()
    result = CliRunner().invoke(cli, ["drift", "--output", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["status"] == "insufficient_data"
    result = CliRunner().invoke(cli, ["drift", "--current-data", str(tmp_path / "nope.csv")],
                                env=env)
    assert result.exit_code == 2 and "no such file" in result.output
