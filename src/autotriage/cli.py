"""The `autotriage` command line."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from autotriage.config import Settings
from autotriage.errors import AutotriageError, DataError

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Support-ticket triage.")
console = Console(stderr=True)


def _columns(value: str) -> list[str]:
    columns = [c.strip() for c in value.split(",") if c.strip()]
    if not columns:
        raise typer.BadParameter("name at least one column")
    return columns


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except AutotriageError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc


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
    from autotriage.ml.store import ModelStore

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
        model, report = training.train_and_evaluate(train_frame, test, texts, labels, step=step)
        step("saving")
        location = model.save(output / "model")
        if champion:
            store = ModelStore(Settings().resolved_model_dir)
            location = store.save(model)
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
    from autotriage.ml.store import ModelStore

    with _errors(), _progress() as step:
        step("loading model")
        if model == "champion":
            store = ModelStore(Settings().resolved_model_dir)
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
        report = {
            "fields": training.evaluate(loaded, frame, texts, labels),
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
            f"n={figures['n_test']}"
        )


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
                log_level="info", access_log=False)


@app.command()
def worker() -> None:
    """Consume the shared queue in this process (needs a shared queue backend)."""
    from autotriage.runtime import Runtime

    settings = Settings()
    _configure_logging()
    if settings.queue_backend == "memory":
        console.print(
            "[red]error:[/red] the memory queue lives inside `autotriage serve`, which runs its "
            "own worker threads; a separate worker needs AUTOTRIAGE_QUEUE_BACKEND=redis"
        )
        raise typer.Exit(2)
    runtime = Runtime(settings)
    if not runtime.load_champion():
        console.print("[red]error:[/red] no champion model; train one first")
        raise typer.Exit(2)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    runtime.start_background(settings.embedded_workers or 1)
    stop.wait()
    runtime.close()


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


if __name__ == "__main__":  # pragma: no cover
    app()
