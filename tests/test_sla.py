"""SLA model on the real ServiceNow incident log (time-ordered), the CLI, and SLA and urgency
signals stored with a decision."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from threadpoolctl import threadpool_limits
from typer.testing import CliRunner

from autotriage.cli import app as cli
from autotriage.demo_data import generate_tickets
from autotriage.domain.routing import SLA_DIR, URGENCY_DIR, load_routing
from autotriage.ml import sla_evaluation
from autotriage.ml.sla import SlaModel
from autotriage.ml.urgency import UrgencyModel
from autotriage.runtime import Runtime
from autotriage.worker.loop import Worker

from .conftest import SHARED_DATA

INCIDENTS = SHARED_DATA / "incident_event_log" / "incident_event_log.csv.gz"


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    if not INCIDENTS.exists():
        pytest.skip(f"{INCIDENTS} is missing")
    return sla_evaluation.read_incident_log(INCIDENTS)


def test_incident_log_is_aggregated_per_incident(incidents: pd.DataFrame) -> None:
    assert incidents["number"].is_unique and len(incidents) > 20_000
    assert (incidents["resolution_hours"] >= 0).all()
    assert incidents["opened_at"].is_monotonic_increasing
    assert 15 < incidents["resolution_hours"].median() < 30  # the README says 22 h
    assert "impact" not in incidents and "urgency" not in incidents


def test_quantile_model_beats_per_priority_baselines_on_later_tickets(
    incidents: pd.DataFrame,
) -> None:
    # The earliest 6,000 incidents keep this fast; the slow test below uses all of them.
    sample = incidents.iloc[:6_000]
    with threadpool_limits(1):
        model, report = sla_evaluation.train_and_evaluate(sample, ["priority", "category",
                                                                   "channel", "queue"], 0.25)
    ours, median = report["model"], report["baseline_median_per_priority"]
    quantiles = report["baseline_quantiles_per_priority"]
    assert report["n_test"] == 1_500
    assert ours["pinball_90"] < quantiles["pinball_90"] < median["pinball_90"]
    assert ours["pinball_50"] < median["pinball_50"]
    assert 0.8 < ours["p90_coverage"] < 0.97
    assert median["p90_coverage"] < 0.7  # a median is no p90
    p50, p90 = model.predict_frame(sample.iloc[-200:])
    assert (p90 >= p50).all() and (p50 >= 0).all()


@pytest.mark.slow
def test_full_incident_log(incidents: pd.DataFrame) -> None:
    with threadpool_limits(1):
        _model, report = sla_evaluation.train_and_evaluate(
            incidents, sla_evaluation.DEFAULT_FEATURES, 0.2)
    ours, median = report["model"], report["baseline_median_per_priority"]
    assert ours["mae_hours"] < median["mae_hours"]
    assert ours["pinball_90"] < report["baseline_quantiles_per_priority"]["pinball_90"]
    assert 0.85 < ours["p90_coverage"] < 0.95


def _history(n: int = 600) -> pd.DataFrame:
    """A resolution history in the service's own terms: high priority and phone resolve fast."""
    rng = np.random.default_rng(1)
    priority = rng.choice(["low", "medium", "high"], n)
    queue = rng.choice(["billing", "technical_support", "shipping"], n)
    base = pd.Series(priority).map({"high": 2.0, "medium": 20.0, "low": 90.0}).to_numpy()
    hours = base * rng.lognormal(0, 0.5, n)
    opened = pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(np.arange(n) * 3, unit="h")
    return pd.DataFrame({"priority": priority, "queue": queue, "channel": "email",
                         "opened_at": opened.astype(str),
                         "resolved_at": (opened + pd.to_timedelta(hours, unit="h")).astype(str)})


def _parsed_history() -> pd.DataFrame:
    frame = _history()
    for column in ("opened_at", "resolved_at"):
        frame[column] = pd.to_datetime(frame[column])
    spent = frame["resolved_at"] - frame["opened_at"]
    return frame.assign(resolution_hours=spent.dt.total_seconds() / 3600)


def test_cli_trains_and_evaluates_on_a_plain_table(tmp_path: Path) -> None:
    data = tmp_path / "history.csv"
    _history().to_csv(data, index=False)
    runner = CliRunner()
    out = tmp_path / "sla"
    result = runner.invoke(cli, ["sla", "train", "--data", str(data), "--features",
                                 "priority,queue", "--output", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["model"]["pinball_90"] < report["baseline_median_per_priority"]["pinball_90"]
    result = runner.invoke(cli, ["sla", "evaluate", "--data", str(data), "--model", str(out)])
    assert result.exit_code == 0 and json.loads(result.stdout)["n_test"] == 120
    bad = tmp_path / "bad.csv"
    bad.write_text("opened_at,priority\n2026-01-01,low\n")
    result = runner.invoke(cli, ["sla", "train", "--data", str(bad), "--output", str(out)])
    assert result.exit_code == 2 and "resolved_at" in result.output


def test_breach_risk_against_targets() -> None:
    frame = _parsed_history()
    model = SlaModel(["priority", "queue"], max_iter=50).fit(frame)
    when = datetime(2026, 5, 1, 9, tzinfo=UTC)
    low, high, unknown = model.estimate(
        [{"priority": "low"}, {"priority": "high"}, {"priority": "???"}], [when] * 3,
        [24.0, 24.0, None])
    assert low.breach_risk is True and high.breach_risk is False and unknown.breach_risk is None
    assert low.p90_hours > low.p50_hours > high.p50_hours


def test_signals_stored_with_the_decision(runtime: Runtime, client: TestClient) -> None:
    models = runtime.settings.resolved_model_dir
    tickets = generate_tickets(600, seed=5)
    UrgencyModel().fit([f"{t['subject']}\n{t['body']}" for t in tickets],
                       [t["priority"] for t in tickets]).save(models / URGENCY_DIR)
    frame = _parsed_history()
    SlaModel(["priority", "queue", "channel"], max_iter=50).fit(frame).save(models / SLA_DIR)
    runtime.routing = load_routing(runtime.settings)  # what a restart does
    worker = Worker(runtime.sessions, runtime.queue, runtime.models, runtime.policy,
                    name="sla-test", batch_size=64, routing=lambda: runtime.routing)

    ticket_id = client.post("/api/v1/tickets", json={
        "subject": "URGENT: checkout down", "body": "Our shop checkout is down, fix it today!!",
        "channel": "email"}).json()["id"]
    while runtime.queue.backlog():
        worker.run_once(block_seconds=0)
    detail = client.get(f"/api/v1/tickets/{ticket_id}").json()
    signals = detail["signals"]
    assert signals["urgency"]["level"] == "high" and 0 < signals["urgency"]["confidence"] <= 1
    assert any("urgent" in cue for cue in signals["urgency"]["cues"])
    sla = signals["sla"]
    assert 0 <= sla["p50_hours"] <= sla["p90_hours"]
    priority = detail["predictions"]["priority"]["label"]
    assert sla["target_hours"] == runtime.settings.sla_target_hours[priority]
    assert sla["breach_risk"] is (sla["p90_hours"] > sla["target_hours"])
    stats = client.get("/api/v1/stats").json()
    assert stats["urgency"] == {"high": 1}
    assert sum(stats["sla_breach_risk"].values()) == 1
    assert datetime.fromisoformat(stats["since"]) < datetime.now(UTC) - timedelta(days=29)
