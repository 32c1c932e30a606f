"""The `autotriage` command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from autotriage import cli_routing, cli_users
from autotriage.cli_support import console
from autotriage.cli_support import reported_errors as _errors
from autotriage.config import Settings
from autotriage.errors import DataError
from autotriage.integrations import cli as integrations_cli
from autotriage.worker import cli as worker_cli

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Support-ticket triage.")
# import, import-email, export and submit (issue 11), merged in as top-level commands.
app.add_typer(integrations_cli.app)
# deadletters list|redrive and worker-health (issue 6).
app.add_typer(worker_cli.dead_letters_app, name="deadletters")
app.add_typer(worker_cli.health_app)
# rules check|dry-run, sla train|evaluate, urgency train (issue 10).
app.add_typer(cli_routing.rules_app, name="rules")
app.add_typer(cli_routing.sla_app, name="sla")
app.add_typer(cli_routing.urgency_app, name="urgency")
app.add_typer(cli_users.users_app, name="users")  # users, roles, API keys (issue 9)


def _columns(value: str) -> list[str]:
    columns = [c.strip() for c in value.split(",") if c.strip()]
    if not columns:
        raise typer.BadParameter("name at least one column")
    return columns


@contextmanager
def _progress() -> Iterator[Any]:
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("starting", total=None)

        def step(message: str) -> None:
            progress.update(task, description=message)

        yield step


@app.command()
def migrate() -> None:
    """Apply database migrations up to the newest."""
    from autotriage.storage import migrate as migrations

    settings = Settings()
    migrations.upgrade(settings.resolved_database_url)
    console.print(f"database at head: {settings.resolved_database_url}")


@app.command("demo-data")
def demo_data(
    output: Annotated[Path, typer.Option(help=".csv or .jsonl file to write")],
    n: Annotated[int, typer.Option(min=1, help="number of tickets")] = 4_000,
    seed: Annotated[int, typer.Option(help="same seed, same tickets")] = 7,
) -> None:
    """Write the project's own multilingual demo tickets (with queue, priority and type)."""
    from autotriage.demo_data import generate_tickets, write_tickets

    with _errors():
        try:
            write_tickets(output, generate_tickets(n, seed=seed))
        except ValueError as exc:
            raise DataError(str(exc)) from exc
    console.print(f"wrote {n} demo tickets to {output}")


@app.command()
def train(
    data: Annotated[Path, typer.Option(help="CSV, JSONL or Parquet with text and label columns")],
    text_columns: Annotated[str, typer.Option(help="comma-separated")] = "subject,body",
    label_columns: Annotated[str, typer.Option(help="comma-separated")] = "queue,priority",
    test_data: Annotated[Path | None, typer.Option(help="evaluate on this file")] = None,
    test_size: Annotated[float, typer.Option(help="held-out share when no --test-data")] = 0.2,
    output: Annotated[Path, typer.Option(help="folder for report.json and model/")] = Path(
        "artifacts/train"
    ),
    champion: Annotated[bool, typer.Option(help="also store it and make it the champion")] = False,
) -> None:
    """Train a model, evaluate it and write OUTPUT/report.json (and the model in OUTPUT/model)."""
    from autotriage.ml import training
    from autotriage.ml.store import open_store

    texts, labels = _columns(text_columns), _columns(label_columns)
    with _errors(), _progress() as step:
        step(f"reading {data}")
        frame = training.read_table(data)
        training.check_training_table(frame, data, texts, labels)
        if test_data is not None:
            test = training.read_table(test_data)
            training.check_training_table(test, test_data, texts, labels)
            train_frame = frame
        else:
            train_frame, test = training.split(frame, labels[0], test_size)
        model, report = training.train_and_evaluate(train_frame, test, texts, labels, step=step,
                                                    options=Settings().training_options())
        step("saving")
        location = model.save(output / "model")
        if champion:
            store = open_store(Settings())
            location = store.save(model, report=report)
            store.set_champion(model.version)
        report["model"] = str(location.resolve())
        path = training.write_report(report, output)
    _print_fields(report)
    console.print(f"report: {path}")


@app.command()
def evaluate(
    data: Annotated[Path, typer.Option(help="labelled CSV, JSONL or Parquet")],
    model: Annotated[str, typer.Option(help="a model folder, or 'champion'")] = "champion",
    text_columns: Annotated[str, typer.Option(help="comma-separated")] = "subject,body",
    label_columns: Annotated[str | None, typer.Option(help="default: the model's fields")] = None,
    output: Annotated[Path, typer.Option(help="folder for report.json")] = Path(
        "artifacts/evaluate"
    ),
) -> None:
    """Evaluate a stored model on labelled data; writes OUTPUT/report.json."""
    from autotriage.ml import training
    from autotriage.ml.model import TriageModel
    from autotriage.ml.store import open_store

    with _errors(), _progress() as step:
        step("loading model")
        if model == "champion":
            store = open_store(Settings())
            loaded = store.load_champion()
            location = store.versions_dir / loaded.version
        else:
            location = Path(model)
            try:
                loaded = TriageModel.load(location)
            except (FileNotFoundError, TypeError) as exc:
                raise DataError(str(exc)) from exc
        labels = _columns(label_columns) if label_columns else list(loaded.fields)
        texts = _columns(text_columns)
        step(f"reading {data}")
        frame = training.read_table(data)
        training.check_training_table(frame, data, texts, labels)
        step(f"evaluating on {len(frame)} rows")
        fields, plots = training.evaluate(loaded, frame, texts, labels, plots=True)
        report = {
            "fields": fields,
            "plots": plots,
            "train_seconds": None,
            "model": str(location.resolve()),
            "model_version": loaded.version,
        }
        path = training.write_report(report, output)
    _print_fields(report)
    console.print(f"report: {path}")


def _print_fields(report: dict[str, Any]) -> None:
    for field, figures in report["fields"].items():
        console.print(
            f"{field}: accuracy {figures['accuracy']:.3f}  macro-F1 {figures['macro_f1']:.3f}  "
            f"n={figures['n_test']}" + _auto_route_summary(figures.get("auto_route"))
        )


def _auto_route_summary(auto_route: dict[str, Any] | None) -> str:
    if not auto_route or auto_route.get("target_precision") is None:
        return ""
    precision = auto_route["precision"]
    shown = "-" if precision is None else f"{precision:.3f}"
    return (f"  auto-route: coverage {auto_route['coverage']:.1%} precision {shown} "
            f"(target {auto_route['target_precision']})")


@app.command("validate-data")
def validate_data(
    data: Annotated[Path, typer.Argument(help="CSV, JSONL or Parquet to check")],
    text_columns: Annotated[str, typer.Option(help="comma-separated")] = "subject,body",
    label_columns: Annotated[str, typer.Option(help="comma-separated")] = "queue,priority",
    test_data: Annotated[Path | None, typer.Option(help="check overlap with this file")] = None,
    min_examples: Annotated[int, typer.Option(min=1, help="fewer per class is a warning")] = 10,
    output: Annotated[Path | None, typer.Option(help="write the findings as JSON here")] = None,
) -> None:
    """Check a labelled file before training: schema, empty texts, label sets, tiny classes,
    duplicates, conflicting labels, train/test overlap; prints the dataset fingerprint.
    Exit code 2 when there are errors, 0 when only warnings (or nothing)."""
    from autotriage.ml import validation

    result = validation.validate_files(data, _columns(text_columns), _columns(label_columns),
                                       test_path=test_data, min_examples=min_examples)
    for line in validation.summary_lines(result):
        typer.echo(line)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2, sort_keys=True))
    if result["errors"]:
        raise typer.Exit(2)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default: AUTOTRIAGE_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default: AUTOTRIAGE_PORT")] = None,
) -> None:
    """Migrate, train the demo model if there is no champion, and serve API + UI + worker."""
    import uvicorn

    from autotriage.app import create_app
    from autotriage.bootstrap import prepare

    settings = Settings()
    _configure_logging()
    with _errors():
        prepare(settings, say=console.print)
    console.print(f"serving on http://{host or settings.host}:{port or settings.port}")
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port,
                log_level="info", access_log=False, log_config=None)  # our JSON logs (issue 7)


@app.command()
def worker() -> None:
    """Consume the shared Redis stream in this process (AUTOTRIAGE_QUEUE_BACKEND=redis); SIGTERM
    finishes the in-flight batch and exits."""
    from autotriage.worker.process import run_worker

    _configure_logging()
    code = run_worker(Settings(), say=lambda m: console.print(f"[red]error:[/red] {m}"))
    if code:
        raise typer.Exit(code)


def _configure_logging() -> None:
    from autotriage.observability.logging import configure_logging

    settings = Settings()
    configure_logging(settings.log_format, settings.log_level,
                      include_private=settings.log_ticket_text)


@app.command()
def drift(
    window: Annotated[int | None, typer.Option(
        help="newest tickets to compare (default: AUTOTRIAGE_DRIFT_WINDOW)")] = None,
    current_data: Annotated[Path | None, typer.Option(
        help="compare this file's rows instead of the newest tickets")] = None,
    reference_data: Annotated[Path | None, typer.Option(
        help="build the reference from this training file instead of the model's own")] = None,
    save_reference: Annotated[bool, typer.Option(
        help="store the reference built from --reference-data next to the model")] = False,
    text_columns: Annotated[str, typer.Option(help="comma-separated, for data files")] = (
        "subject,body"),
    model: Annotated[str, typer.Option(help="a model folder, or 'champion'")] = "champion",
    output: Annotated[Path | None, typer.Option(help="JSON report file (default: stdout)")] = None,
    html: Annotated[Path | None, typer.Option(help="also write the HTML view here")] = None,
    fail_on_drift: Annotated[bool, typer.Option(help="exit 1 when drift is detected")] = False,
) -> None:
    """Drift report: the newest tickets (or a file) against the model's training data."""
    from autotriage.domain.drift import offline_report
    from autotriage.observability.drift_html import render_drift_report

    settings = Settings()
    with _errors():
        report = offline_report(
            settings, model=model, window=window or settings.drift_window,
            text_columns=_columns(text_columns), current_data=current_data,
            reference_data=reference_data, save_reference=save_reference)
    if output is not None:
        output.write_text(json.dumps(report, indent=2))
    else:
        typer.echo(json.dumps(report, indent=2))
    if html is not None:
        html.write_text(render_drift_report(report))
    verdict = "drift detected" if report["drift_detected"] else "no drift detected"
    console.print(f"{verdict} (severity {report['severity']}, {report['current']['n_texts']} "
                  f"tickets, status {report['status']})")
    if fail_on_drift and report["drift_detected"]:
        raise typer.Exit(1)


# retrain, promote, rollback, models (issue 5)
from autotriage.cli_models import register as _register_model_commands  # noqa: E402

_register_model_commands(app)

if __name__ == "__main__":  # pragma: no cover
    app()
