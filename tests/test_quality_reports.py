"""Evaluation reports (per-class figures, calibration, thresholds, PNG plots) and
`autotriage validate-data` (issue 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from autotriage.cli import app
from autotriage.demo_data import generate_tickets

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "tickets.csv"
    pd.DataFrame(generate_tickets(800, seed=21)).to_csv(path, index=False)
    return path


def _check_field(figures: dict, n_test: int) -> None:
    assert {"accuracy", "macro_f1", "n_test"} <= set(figures)
    assert figures["n_test"] == n_test
    assert figures["per_class"] and all(
        {"precision", "recall", "f1", "support"} == set(v) for v in figures["per_class"].values())
    assert sum(v["support"] for v in figures["per_class"].values()) == n_test
    assert set(figures["ece"]) == {"uncalibrated", "calibrated"}
    assert figures["calibration"] in ("none", "temperature", "sigmoid", "isotonic")
    assert set(figures["thresholds"]) == {"pooled", "own_classes", "classes"}
    auto = figures["auto_route"]
    assert auto["target_precision"] == 0.95 and 0 <= auto["coverage"] <= 1
    assert (auto["precision"] is None) == (auto["n_auto_routed"] == 0)


def test_train_and_evaluate_reports_with_plots(demo_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "train"
    result = runner.invoke(app, ["train", "--data", str(demo_csv), "--label-columns",
                                 "queue,priority", "--output", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert {"fields", "train_seconds", "model", "calibration", "guarantee"} <= set(report)
    for field in ("queue", "priority"):
        _check_field(report["fields"][field], 160)
        for name in report["fields"][field]["plots"].values():
            assert (out / name).read_bytes().startswith(PNG)
    assert report["guarantee"]["delta"] == 0.05
    assert "auto-route: coverage" in result.output

    evaluated = tmp_path / "eval"
    result = runner.invoke(app, ["evaluate", "--data", str(demo_csv), "--model",
                                 report["model"], "--output", str(evaluated)])
    assert result.exit_code == 0, result.output
    again = json.loads((evaluated / "report.json").read_text())
    _check_field(again["fields"]["queue"], 800)
    assert (evaluated / "queue_confusion_matrix.png").read_bytes().startswith(PNG)
    assert (evaluated / "priority_risk_coverage.png").exists()


def _validate(path: Path, *extra: str) -> tuple[int, str, dict]:
    out = path.with_suffix(".findings.json")
    result = runner.invoke(app, ["validate-data", str(path), "--text-columns", "subject,body",
                                 "--label-columns", "queue,priority", "--output", str(out),
                                 *extra])
    findings = json.loads(out.read_text()) if out.exists() else {}
    return result.exit_code, result.output, findings


def test_validate_data_on_a_good_file(demo_csv: Path) -> None:
    code, output, findings = _validate(demo_csv)
    assert code == 0, output
    assert findings["errors"] == [] and findings["rows"] == 800
    assert findings["fingerprint"].startswith("sha256:") and "fingerprint: sha256:" in output
    assert set(findings["label_sets"]["queue"]) >= {"billing", "shipping"}


def test_validate_data_finds_what_to_fix(demo_csv: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(demo_csv, dtype=str, keep_default_na=False)
    bad = frame.iloc[:200].copy()
    bad = pd.concat([bad, bad.iloc[[0, 1]]], ignore_index=True)  # exact duplicates
    conflict = bad.iloc[[2]].copy()
    conflict["queue"] = "security" if conflict["queue"].iloc[0] != "security" else "billing"
    bad = pd.concat([bad, conflict], ignore_index=True)  # same text, another label
    bad.loc[5, "priority"] = "critical"  # a class with one example
    train_path = tmp_path / "train.csv"
    bad.to_csv(train_path, index=False)
    test_path = tmp_path / "test.csv"
    pd.concat([frame.iloc[300:340], frame.iloc[[7, 8, 9]]]).to_csv(test_path, index=False)

    code, output, findings = _validate(train_path, "--test-data", str(test_path))
    assert code == 0, output  # warnings only
    checks = {w["check"]: w for w in findings["warnings"]}
    assert set(checks) >= {"duplicates", "conflicting_labels", "tiny_classes",
                           "train_test_overlap"}
    assert checks["duplicates"]["lines"] == [202, 203]
    assert "'critical' (1)" in checks["tiny_classes"]["message"]
    assert checks["train_test_overlap"]["message"].startswith("3 test row(s)")
    assert "warning: [conflicting_labels]" in output

    broken = frame.iloc[:50].copy()
    broken.loc[[4], ["subject", "body"]] = ["", " "]
    broken.loc[[6], "queue"] = ""
    broken_path = tmp_path / "broken.csv"
    broken.to_csv(broken_path, index=False)
    code, output, findings = _validate(broken_path)
    assert code == 2
    assert {e["check"] for e in findings["errors"]} == {"empty_text", "empty_label"}
    assert findings["errors"][0]["lines"] == [6]

    missing = tmp_path / "missing.csv"
    frame.drop(columns=["priority"]).to_csv(missing, index=False)
    code, output, findings = _validate(missing)
    assert code == 2 and "missing column(s) ['priority']" in " ".join(output.split())
