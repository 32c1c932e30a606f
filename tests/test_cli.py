"""The CLI contract other tools rely on: train/evaluate reports, clear errors on bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from autotriage.cli import app
from autotriage.demo_data import generate_tickets

runner = CliRunner()


@pytest.fixture
def demo_frame() -> pd.DataFrame:
    return pd.DataFrame(generate_tickets(600, seed=3))


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_train_writes_the_report(tmp_path: Path, demo_frame: pd.DataFrame, suffix: str) -> None:
    data = tmp_path / f"tickets{suffix}"
    if suffix == ".csv":
        demo_frame.to_csv(data, index=False)
    elif suffix == ".jsonl":
        demo_frame.to_json(data, orient="records", lines=True, force_ascii=False)
    else:
        demo_frame.to_parquet(data)
    out = tmp_path / "out"
    result = runner.invoke(app, ["train", "--data", str(data), "--test-size", "0.25",
                                 "--text-columns", "subject,body",
                                 "--label-columns", "queue,priority", "--output", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert set(report["fields"]) == {"queue", "priority"}
    for figures in report["fields"].values():
        assert 0 <= figures["macro_f1"] <= figures["accuracy"] + 1e-9 or figures["macro_f1"] <= 1
        assert figures["n_test"] == 150
    assert report["fields"]["queue"]["accuracy"] > 0.5
    assert report["train_seconds"] > 0
    assert Path(report["model"]).is_dir()

    evaluated = tmp_path / "eval"
    result = runner.invoke(app, ["evaluate", "--data", str(data), "--model", report["model"],
                                 "--output", str(evaluated)])
    assert result.exit_code == 0, result.output
    again = json.loads((evaluated / "report.json").read_text())
    assert set(again["fields"]) == {"queue", "priority"}
    assert again["fields"]["queue"]["n_test"] == 600


def test_train_with_separate_test_file_and_champion(
    tmp_path: Path, demo_frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOTRIAGE_DATA_DIR", str(tmp_path / "data"))
    demo_frame.iloc[:450].to_csv(tmp_path / "train.csv", index=False)
    demo_frame.iloc[450:].to_csv(tmp_path / "test.csv", index=False)
    result = runner.invoke(app, ["train", "--data", str(tmp_path / "train.csv"),
                                 "--test-data", str(tmp_path / "test.csv"),
                                 "--label-columns", "queue", "--output", str(tmp_path / "o"),
                                 "--champion"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "o" / "report.json").read_text())["fields"]["queue"][
        "n_test"] == 150
    result = runner.invoke(app, ["evaluate", "--data", str(tmp_path / "test.csv"),
                                 "--output", str(tmp_path / "e")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "models" / "champion").exists()


def test_malformed_training_files_get_clear_errors(
    tmp_path: Path, demo_frame: pd.DataFrame
) -> None:
    missing = tmp_path / "missing.csv"
    demo_frame.drop(columns=["priority"]).to_csv(missing, index=False)
    empty_labels = tmp_path / "empty.csv"
    broken = demo_frame.copy()
    broken.loc[[3, 7], "queue"] = ""
    broken.to_csv(empty_labels, index=False)
    empty_text = tmp_path / "notext.csv"
    blank = demo_frame.copy()
    blank.loc[5, ["subject", "body"]] = ["", "  "]
    blank.to_csv(empty_text, index=False)
    unknown = tmp_path / "tickets.xlsx"
    unknown.write_text("x")
    no_rows = tmp_path / "norows.csv"
    no_rows.write_text("subject,body,queue,priority\n")
    cases = [
        (missing, "missing column(s) ['priority']"),
        (empty_labels, "column 'queue' has 2 empty label(s) (lines 5, 9)"),
        (empty_text, "1 row(s) have no text"),
        (unknown, "unknown file type"),
        (no_rows, "has no rows"),
        (tmp_path / "absent.csv", "no such file"),
    ]
    for path, message in cases:
        out = tmp_path / f"out-{path.stem}"
        result = runner.invoke(app, ["train", "--data", str(path), "--label-columns",
                                     "queue,priority", "--output", str(out)])
        assert result.exit_code == 2, (path, result.output)
        assert message in " ".join(result.output.split()), (path, result.output)
        assert not out.exists(), "a failed run must not leave a half-written output"


def test_demo_data_command(tmp_path: Path) -> None:
    out = tmp_path / "demo.jsonl"
    result = runner.invoke(app, ["demo-data", "--output", str(out), "--n", "50"])
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 50
    bad = runner.invoke(app, ["demo-data", "--output", str(tmp_path / "demo.txt"), "--n", "5"])
    assert bad.exit_code == 2
