"""CLI commands of the integrations: import-email, import, export, submit. Merged into the main
`autotriage` app (cli.py adds this Typer without a name, so the commands are top-level)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.orm import Session, sessionmaker

from autotriage.cli_support import console
from autotriage.cli_support import reported_errors as _errors
from autotriage.config import Settings
from autotriage.domain import intake
from autotriage.errors import AutotriageError, DataError
from autotriage.integrations import bulk, mail
from autotriage.storage import integrations as store
from autotriage.storage import migrate
from autotriage.storage.db import make_engine, make_session_factory

if TYPE_CHECKING:
    from autotriage.client import AutotriageClient

app = typer.Typer()
T = TypeVar("T")
MAX_REPORTED = 50


@contextmanager
def _database(settings: Settings) -> Iterator[sessionmaker[Session]]:
    migrate.upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url, pool_size=2)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _publish(settings: Settings, ids: Sequence[int]) -> None:
    # The memory queue lives inside `autotriage serve`: its sweeper classifies tickets still
    # `received`. A shared queue backend gets the ids at once.
    if not ids or settings.queue_backend == "memory":
        return
    from autotriage.queue import make_queue

    try:
        queue = make_queue(settings)
        queue.publish(ids)
        queue.close()
    except Exception as exc:  # noqa: BLE001 - the sweeper re-publishes; the import stands
        console.print(f"[yellow]warning:[/yellow] could not publish to the queue ({exc}); "
                      "the service's sweeper will classify the tickets")


def _report_bad(bad: Sequence[str], strict: bool) -> None:
    for line in bad[:MAX_REPORTED]:
        console.print(f"  [red]bad[/red] {line}")
    if len(bad) > MAX_REPORTED:
        console.print(f"  ... and {len(bad) - MAX_REPORTED} more")
    if bad and strict:
        console.print(f"[red]error:[/red] {len(bad)} bad row(s); nothing was imported. Fix them, "
                      "or import the valid rows only with --no-strict")
        raise typer.Exit(2)


def _mapping(value: str, option: str) -> dict[str, str]:
    """`a=b,c` -> {"a": "b", "c": "c"}."""
    pairs: dict[str, str] = {}
    for part in (p.strip() for p in value.split(",") if p.strip()):
        name, _, column = part.partition("=")
        if not name.strip() or (_ and not column.strip()):
            raise typer.BadParameter(f"{part!r}: use field=column", param_hint=option)
        pairs[name.strip()] = column.strip() or name.strip()
    return pairs


def resolve_columns(explicit: dict[str, str], available: Sequence[str]) -> dict[str, str]:
    unknown = sorted(set(explicit) - set(bulk.TICKET_FIELDS))
    if unknown:
        raise DataError(f"--columns names unknown ticket field(s) {unknown}; "
                        f"use {list(bulk.TICKET_FIELDS)}")
    # Same-named columns are used unless mapped otherwise; body is the only one required.
    columns = {f: f for f in bulk.TICKET_FIELDS if f in available}
    columns.update(explicit)
    if "body" not in columns:
        raise DataError(f"the file has no 'body' column (it has {list(available)}); "
                        "map one with --columns body=COLUMN")
    return columns


def _columns_of(path: Path) -> list[str]:
    for _position, _where, record, _problem in bulk.read_records(path):
        if record is not None:
            return list(record)
    raise DataError(f"{path}: has no readable rows")


# --- import ---


@dataclass
class ImportSummary:
    rows: int
    bad: int
    tickets_created: int
    labels_created: int
    resumed_after: int
    already_done: bool = False


def run_import(settings: Settings, path: Path, options: bulk.ImportOptions, *,
               chunk_size: int, check: bulk.Check,
               on_chunk: Callable[[int], None] = lambda _n: None) -> ImportSummary:
    """Pass two of an import: chunks committed with their checkpoint; resumes a broken run."""
    max_chars = settings.max_text_chars
    fingerprint = bulk.fingerprint(path, options)
    with _database(settings) as sessions:
        with sessions() as session:
            run = store.import_run(session, fingerprint)
            if run is not None and run.status == "done":
                return ImportSummary(check.rows, len(check.bad), run.tickets_created,
                                     run.labels_created, run.rows_done, already_done=True)
            after = run.rows_done if run is not None else 0
            run_id = run.id if run is not None else store.start_import_run(
                session, fingerprint, str(path.resolve()), check.rows)
            session.commit()
        created = labels = 0
        for chunk in _chunks(bulk.valid_rows(path, options, max_chars, after), chunk_size):
            with sessions() as session:
                ids, n_labels = bulk.import_chunk(session, chunk, options, max_chars)
                store.advance_import_run(session, run_id, rows_done=chunk[-1].position,
                                         tickets=len(ids), labels=n_labels, status="running")
                session.commit()
            _publish(settings, ids)
            created, labels = created + len(ids), labels + n_labels
            on_chunk(len(chunk))
        with sessions() as session:
            store.advance_import_run(session, run_id, rows_done=check.rows, tickets=0, labels=0,
                                     status="done")
            session.commit()
    return ImportSummary(check.rows, len(check.bad), created, labels, after)


@app.command("import")
def import_tickets(
    file: Annotated[Path, typer.Argument(help="CSV (.csv, .csv.gz), JSONL or Parquet file")],
    columns: Annotated[str, typer.Option(
        help="ticket field=column pairs, e.g. body=Description,external_id=Number; same-named "
             "columns (subject, body, sender, channel, external_id) are used by default")] = "",
    labels: Annotated[str, typer.Option(
        help="label field=column pairs (or just field for a same-named column), e.g. "
             "queue=Team,priority; written as labels with source 'import'")] = "",
    strict: Annotated[bool, typer.Option(
        help="--strict: any bad row and nothing is imported; --no-strict: import the valid rows "
             "and report the bad ones")] = True,
    chunk_size: Annotated[int, typer.Option(min=1, help="rows per transaction")] = 500,
    actor: Annotated[str | None, typer.Option(help="recorded as the labels' actor")] = None,
) -> None:
    """Import historical tickets (and their labels). Re-running resumes an interrupted import."""
    settings = Settings()
    with _errors():
        options = bulk.ImportOptions(
            columns=resolve_columns(_mapping(columns, "--columns"), _columns_of(file)),
            labels=_mapping(labels, "--labels"), strict=strict, actor=actor)
        bulk.check_columns(file, options, settings.label_fields)
        console.print(f"checking {file}")
        check = bulk.check_file(file, options, settings.max_text_chars)
        _report_bad(check.bad, strict)
        with Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), console=console) as progress:
            task = progress.add_task("import", total=check.rows - len(check.bad))
            summary = run_import(settings, file, options, chunk_size=chunk_size, check=check,
                                 on_chunk=lambda n: progress.advance(task, n))
    if summary.already_done:
        console.print(f"{file} was imported before with these options "
                      f"({summary.tickets_created} tickets); nothing to do")
        return
    if summary.resumed_after:
        console.print(f"resumed after row {summary.resumed_after} of an interrupted run")
    console.print(f"{summary.rows} rows: {summary.tickets_created} tickets and "
                  f"{summary.labels_created} labels imported, {summary.bad} bad row(s) skipped; "
                  "rows already present were left as they were")


# --- e-mail ---


@app.command("import-email")
def import_email(
    paths: Annotated[list[Path], typer.Argument(help=".eml files, mbox files or folders")],
    strict: Annotated[bool, typer.Option(
        help="--no-strict imports the usable messages when some cannot become tickets")] = True,
    server: Annotated[str | None, typer.Option(
        help="submit through this autotriage API (e.g. http://host:8000) instead of the "
             "local database")] = None,
) -> None:
    """Turn e-mails into tickets (external_id = Message-ID, so a re-import adds nothing)."""
    settings = Settings()
    with _errors():
        parsed = mail.parse_all(paths, max_chars=settings.max_text_chars)
        _report_bad([p.problem or p.where for p in parsed if p.ticket is None], strict)
        tickets = [p.ticket for p in parsed if p.ticket is not None]
        created = (_submit_remote(server, tickets, settings.max_batch_size) if server
                   else _submit_local(settings, tickets))
    console.print(f"{len(parsed)} message(s): {created} new ticket(s), "
                  f"{len(tickets) - created} already imported, "
                  f"{len(parsed) - len(tickets)} skipped")


def _submit_local(settings: Settings, tickets: Sequence[intake.NewTicket]) -> int:
    created = 0
    with _database(settings) as sessions:
        for chunk in _chunks(tickets, 500):
            with sessions() as session:
                accepted = intake.submit(session, chunk, max_chars=settings.max_text_chars)
                session.commit()
            ids = [a.id for a in accepted if a.created]
            _publish(settings, ids)
            created += len(ids)
    return created


def _submit_remote(server: str, tickets: Sequence[intake.NewTicket], batch: int) -> int:
    return _post_batches(server, tickets, batch)[1]


def _post_batches(server: str, tickets: Sequence[intake.NewTicket],
                  batch: int) -> tuple[list[int], int]:
    """All ids in the tickets' order, and how many tickets were new."""
    from autotriage.client import AutotriageClient, ClientError

    ids: list[int] = []
    created = 0
    with AutotriageClient(server) as client:
        for chunk in _chunks(tickets, batch):
            payload = [{"subject": t.subject, "body": t.body, "sender": t.sender,
                        "channel": t.channel, "external_id": t.external_id,
                        "metadata": t.metadata} for t in chunk]
            try:
                accepted = client.submit_batch(payload)
            except ClientError as exc:
                raise AutotriageError(f"{server} refused the batch: {exc.detail}") from exc
            ids.extend(accepted.ids)
            created += len(accepted.ids) - accepted.duplicates
    return ids, created


# --- export ---


@app.command("export")
def export(
    what: Annotated[str, typer.Argument(help="tickets, predictions or labels")],
    output: Annotated[Path, typer.Option(help=".csv, .csv.gz, .jsonl or .parquet file")],
    created_from: Annotated[datetime | None, typer.Option(help="only rows created at/after")]
    = None,
    created_to: Annotated[datetime | None, typer.Option(help="only rows created before")] = None,
) -> None:
    """Export tickets, predictions (one row per field) or labels, streamed page by page."""
    settings = Settings()
    with _errors():
        if what not in store.EXPORTS:
            raise DataError(f"cannot export {what!r}; use one of {list(store.EXPORTS)}")
        bulk.file_format(output)
        window = store.ExportWindow(created_from, created_to)
        with _database(settings) as sessions, sessions() as session:
            written = bulk.write_export(store.export_pages(session, what, window), output,
                                        bulk.EXPORT_COLUMNS[what])
    console.print(f"exported {written} {what} row(s) to {output}")


# --- remote batch submission (the hourly classification DAG) ---


@app.command("submit")
def submit(
    file: Annotated[Path, typer.Argument(help="CSV, JSONL or Parquet of new tickets")],
    server: Annotated[str, typer.Option(help="the autotriage API, e.g. http://host:8000")],
    columns: Annotated[str, typer.Option(help="as for `import`")] = "",
    wait: Annotated[float, typer.Option(help="seconds to wait for the decisions")] = 0.0,
    output: Annotated[Path | None, typer.Option(help="JSONL of ids and decisions")] = None,
) -> None:
    """Submit a file of tickets to a running autotriage server through the Python client."""
    from autotriage.client import AutotriageClient

    settings = Settings()
    with _errors():
        options = bulk.ImportOptions(
            columns=resolve_columns(_mapping(columns, "--columns"), _columns_of(file)), labels={})
        check = bulk.check_file(file, options, settings.max_text_chars)
        _report_bad(check.bad, True)
        tickets = [r.ticket for r in bulk.valid_rows(file, options, settings.max_text_chars)]
        ids, _new = _post_batches(server, tickets, settings.max_batch_size)
        if output is not None:
            with AutotriageClient(server) as client:
                _write_outcomes(client, ids, wait, output)
    console.print(f"submitted {len(tickets)} ticket(s) to {server}")


def _write_outcomes(client: AutotriageClient, ids: Sequence[int], wait: float,
                    output: Path) -> None:
    deadline = time.monotonic() + wait
    with output.open("w", encoding="utf-8") as handle:
        for ticket_id in ids:
            detail = client.wait_for_decision(ticket_id,
                                              timeout=max(0.0, deadline - time.monotonic()))
            handle.write(json.dumps({
                "id": detail.id, "external_id": detail.external_id, "status": detail.status,
                "decision": detail.decision,
                "predictions": {f: p.label for f, p in detail.predictions.items()},
            }) + "\n")
