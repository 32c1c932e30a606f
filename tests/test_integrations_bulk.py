"""Bulk import and export through the CLI: column mapping, bad rows with line numbers, strict
all-or-nothing, resuming an interrupted run, CSV/JSONL/Parquet, SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from autotriage.cli import app
from autotriage.config import Settings
from autotriage.domain import intake
from autotriage.integrations import bulk
from autotriage.integrations import cli as integrations_cli
from autotriage.runtime import Runtime
from autotriage.storage import migrate
from autotriage.storage.db import make_engine, make_session_factory
from autotriage.storage.tables import ImportRun, Label, Ticket
from tests.conftest import SHARED_DATA

runner = CliRunner()
HELPDESK = SHARED_DATA / "multilang_tickets" / "helpdesk_customer_tickets.csv"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("AUTOTRIAGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AUTOTRIAGE_LABEL_FIELDS", "queue,priority,type")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    migrate.upgrade(settings.resolved_database_url)
    return settings


def _counts(settings: Settings) -> tuple[int, int, list[tuple[str, str, str]]]:
    engine = make_engine(settings.resolved_database_url)
    with make_session_factory(engine)() as session:
        tickets = session.scalar(select(func.count()).select_from(Ticket)) or 0
        labels = [(str(f), str(v), str(s)) for f, v, s in session.execute(
            select(Label.field, Label.value, Label.source).order_by(Label.id))]
    engine.dispose()
    return tickets, len(labels), labels


def _flat(output: str) -> str:
    return " ".join(output.split())  # rich wraps long lines at the terminal width


def _messy_csv(path: Path) -> None:
    rows = [
        ["Number", "Title", "Description", "Team", "Prio"],
        ["T-1", "Refund", "Charged twice\nfor order 4411", "billing", "high"],  # lines 2-3
        ["T-2", "Login", "   ", "accounts", "low"],  # line 4: empty body
        ["T-3", "VPN", "VPN drops hourly", "it", "medium"],
        ["T-4", "Parcel", "Where is my parcel?", "shipping", ""],  # no priority label
        ["T-5", "Long", "x" * 300, "billing", "low"],  # line 7: over the limit set below
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("T-6,Short row\n")  # line 8: too few fields


IMPORT_ARGS = ["--columns", "external_id=Number,subject=Title,body=Description",
               "--labels", "queue=Team,priority=Prio", "--actor", "history-2025"]


def test_strict_reports_bad_rows_with_line_numbers_and_imports_nothing(
    env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOTRIAGE_MAX_TEXT_CHARS", "200")
    data = tmp_path / "history.csv"
    _messy_csv(data)
    result = runner.invoke(app, ["import", str(data), *IMPORT_ARGS])
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    assert "line 4: body is empty" in out
    assert "line 7: body has 300 characters" in out
    assert "line 8: has 2 fields, the header has 5" in out
    assert "3 bad row(s); nothing was imported" in out
    assert _counts(env)[:2] == (0, 0)

    result = runner.invoke(app, ["import", str(data), *IMPORT_ARGS, "--no-strict"])
    assert result.exit_code == 0, result.output
    assert "6 rows: 3 tickets and 5 labels imported, 3 bad row(s) skipped" in result.output
    tickets, n_labels, labels = _counts(env)
    assert (tickets, n_labels) == (3, 5)
    assert ("priority", "high", "import") in labels and {s for _, _, s in labels} == {"import"}

    again = runner.invoke(app, ["import", str(data), *IMPORT_ARGS, "--no-strict"])
    assert "was imported before" in " ".join(again.output.split()) and _counts(env)[:2] == (3, 5)


def test_unknown_columns_and_label_fields_are_refused(env: Settings, tmp_path: Path) -> None:
    data = tmp_path / "history.csv"
    _messy_csv(data)
    missing = runner.invoke(app, ["import", str(data), "--columns", "body=Text"])
    assert missing.exit_code == 2 and "missing column(s) ['Text']" in _flat(missing.output)
    no_body = runner.invoke(app, ["import", str(data)])
    assert no_body.exit_code == 2 and "no 'body' column" in _flat(no_body.output)
    label = runner.invoke(app, ["import", str(data), "--columns", "body=Description",
                                "--labels", "team=Team"])
    assert label.exit_code == 2 and "not configured label fields" in _flat(label.output)


def test_a_real_helpdesk_export_imports_completely_and_resumes(
    env: Settings, tmp_path: Path
) -> None:
    """600 real tickets with multi-line bodies: interrupted after the first chunk, resumed."""
    options = bulk.ImportOptions(columns={"external_id": "id", "subject": "subject",
                                          "body": "body"},
                                 labels={"queue": "queue", "priority": "priority",
                                         "type": "type"})
    check = bulk.check_file(HELPDESK, options, env.max_text_chars)
    assert (check.rows, check.bad) == (600, [])

    def interrupt(_n: int) -> None:
        raise KeyboardInterrupt  # Ctrl-C right after the first chunk committed

    with pytest.raises(KeyboardInterrupt):
        integrations_cli.run_import(env, HELPDESK, options, chunk_size=250, check=check,
                                    on_chunk=interrupt)
    assert _counts(env)[:2] == (250, 750)
    result = runner.invoke(app, ["import", str(HELPDESK), "--columns", "external_id=id",
                                 "--labels", "queue,priority,type", "--chunk-size", "250"])
    assert result.exit_code == 0, result.output
    assert "resumed after row 250" in _flat(result.output)
    assert "350 tickets and 1050 labels imported" in " ".join(result.output.split())
    assert _counts(env)[:2] == (600, 1800)
    frame = pd.read_csv(HELPDESK, dtype=str, keep_default_na=False)
    engine = make_engine(env.resolved_database_url)
    with make_session_factory(engine)() as session:
        stored = {ext: body for ext, body in session.execute(
            select(Ticket.external_id, Ticket.body))}
        run = session.scalar(select(ImportRun))
    engine.dispose()
    assert all(stored[row.id] == row.body for row in frame.itertuples())
    assert run is not None and (run.status, run.rows_done, run.tickets_created) == (
        "done", 600, 600)


def test_jsonl_and_parquet_with_line_and_row_numbers(env: Settings, tmp_path: Path) -> None:
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text('{"subject": "a", "body": "printer jam", "queue": "it"}\n'
                     "\n"
                     '{"subject": "b", "body": "refund" \n'
                     '["not", "an", "object"]\n'
                     '{"subject": "c", "body": 42, "queue": "billing"}\n', encoding="utf-8")
    result = runner.invoke(app, ["import", str(jsonl), "--labels", "queue", "--no-strict"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "line 3: not valid JSON" in out and "line 4: is not a JSON object" in out
    assert _counts(env)[:2] == (2, 2)  # the number 42 is read as the text "42"

    parquet = tmp_path / "t.parquet"
    pd.DataFrame({"body": ["disk full", "", "mouse broken"],
                  "queue": ["it", "it", None]}).to_parquet(parquet)
    result = runner.invoke(app, ["import", str(parquet), "--labels", "queue"])
    assert result.exit_code == 2
    assert "row 2: subject and body are both empty" in " ".join(result.output.split())
    result = runner.invoke(app, ["import", str(parquet), "--labels", "queue", "--no-strict"])
    assert result.exit_code == 0 and _counts(env)[:2] == (4, 3)


def _classified(runtime: Runtime, drain: Callable[[], int]) -> list[int]:
    with runtime.sessions() as session:
        accepted = intake.submit(session, [
            intake.NewTicket("Refund", "Please refund my double charge", external_id="x-1"),
            intake.NewTicket("Wifi", "The office wifi is down", external_id="x-2")],
            max_chars=1000)
        session.commit()
    runtime.queue.publish([a.id for a in accepted])
    drain()
    return [a.id for a in accepted]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_export_tickets_predictions_and_labels(
    runtime: Runtime, drain: Callable[[], int], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, suffix: str,
) -> None:
    monkeypatch.setenv("AUTOTRIAGE_DATA_DIR", str(runtime.settings.data_dir))
    ids = _classified(runtime, drain)
    with runtime.sessions() as session:
        from autotriage.storage import repository

        repository.add_labels(session, [{"ticket_id": ids[0], "field": "queue",
                                         "value": "billing", "source": "review", "actor": "ana"}])
        session.commit()
    frames = {}
    for what in ("tickets", "predictions", "labels"):
        out = tmp_path / f"{what}{suffix}"
        result = runner.invoke(app, ["export", what, "--output", str(out)])
        assert result.exit_code == 0, result.output
        frames[what] = (pd.read_csv(out) if suffix == ".csv" else
                        pd.read_json(out, lines=True) if suffix == ".jsonl"
                        else pd.read_parquet(out))
    assert frames["tickets"]["id"].tolist() == ids
    assert frames["tickets"]["external_id"].tolist() == ["x-1", "x-2"]
    assert frames["tickets"]["decision"].notna().all()
    assert len(frames["predictions"]) == 6  # two tickets x three fields
    assert set(frames["predictions"]["field"]) == {"queue", "priority", "type"}
    assert frames["predictions"]["confidence"].between(0, 1).all()
    assert frames["labels"][["external_id", "field", "value", "source"]].values.tolist() == [
        ["x-1", "queue", "billing", "review"]]
    bad = runner.invoke(app, ["export", "reviews", "--output", str(tmp_path / "r.csv")])
    assert bad.exit_code == 2 and "use one of" in _flat(bad.output)


@pytest.mark.postgres
def test_import_and_export_on_postgres(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOTRIAGE_DATABASE_URL", postgres_url)
    monkeypatch.setenv("AUTOTRIAGE_LABEL_FIELDS", "queue,priority,type")
    data = tmp_path / "history.csv"
    _messy_csv(data)
    result = runner.invoke(app, ["import", str(data), *IMPORT_ARGS, "--no-strict",
                                 "--chunk-size", "2"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "labels.jsonl"
    assert runner.invoke(app, ["export", "labels", "--output", str(out)]).exit_code == 0
    labels = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["external_id"], r["field"], r["value"]) for r in labels] == [
        ("T-1", "queue", "billing"), ("T-1", "priority", "high"), ("T-3", "queue", "it"),
        ("T-3", "priority", "medium"), ("T-4", "queue", "shipping"), ("T-5", "queue", "billing"),
        ("T-5", "priority", "low")]
