"""`autotriage retrain | promote | rollback | models`: the registry from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from autotriage.config import Settings
from autotriage.errors import AutotriageError
from autotriage.ml.store import ModelStore

console = Console(stderr=True)
Actor = Annotated[str, typer.Option(help="who acts (recorded in the alias history)")]
Reason = Annotated[str | None, typer.Option(help="why (recorded in the alias history)")]


@contextmanager
def _context() -> Iterator[tuple[Settings, sessionmaker[Session], ModelStore]]:
    from autotriage.ml.store import open_store
    from autotriage.storage import migrate
    from autotriage.storage.db import make_engine, make_session_factory

    settings = Settings()
    try:
        migrate.upgrade(settings.resolved_database_url)
        engine = make_engine(settings.resolved_database_url)
        try:
            yield settings, make_session_factory(engine), open_store(settings)
        finally:
            engine.dispose()
    except AutotriageError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc


def _announce(settings: Settings, version: str) -> None:
    if settings.queue_backend == "redis":
        from autotriage.worker.reload import announce

        announce(settings.redis_url, version)


def retrain(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="train and compare; change nothing")]
    = False,
    actor: Actor = "local",
) -> None:
    """Train a challenger on base data + verified labels, compare it with the champion on the
    same evaluation data, and promote it when the gate says so."""
    from autotriage.worker.retrain import run_retrain

    with _context() as (settings, sessions, store):
        run = run_retrain(sessions, store, settings, trigger="manual", actor=actor,
                          dry_run=dry_run, step=lambda message: console.print(f"  {message}"))
        if run.status == "promoted" and run.challenger_version:
            _announce(settings, run.challenger_version)
    gate = (run.report or {}).get("gate", {})
    for name, rule in (gate.get("rules") or {}).items():
        mark = "[green]pass[/green]" if rule["passed"] else "[red]fail[/red]"
        console.print(f"{mark} {name}: {rule['detail']}")
    console.print(f"run {run.id}: {run.status}"
                  + (f" (decided by {run.decided_by})" if run.decided_by else "")
                  + (f"; challenger {run.challenger_version}" if run.challenger_version else "")
                  + (f"\n{run.error}" if run.error else ""))
    console.print(f"report: {settings.data_dir / 'retrain' / str(run.id) / 'comparison.json'}")
    if run.status == "failed":
        raise typer.Exit(1)


def promote(
    version: Annotated[str, typer.Argument(help="model version (or registry number)")],
    reason: Reason = None,
    actor: Actor = "local",
) -> None:
    """Make VERSION the champion; every process switches to it within the reload interval."""
    from autotriage.domain import model_admin

    with _context() as (settings, sessions, store), sessions() as session:
        event = model_admin.promote(session, store, version, actor=actor, reason=reason)
        session.commit()
        _announce(settings, event.version)
    console.print(f"champion: {event.version} (was {event.previous_version})")


def rollback(reason: Reason = None, actor: Actor = "local") -> None:
    """Make the previous champion the champion again."""
    from autotriage.domain import model_admin

    with _context() as (settings, sessions, store), sessions() as session:
        event = model_admin.rollback(session, store, actor=actor, reason=reason)
        session.commit()
        _announce(settings, event.version)
    console.print(f"champion: {event.version} (was {event.previous_version})")


def models(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List the model versions with their aliases, and the alias history."""
    from autotriage.domain import model_admin

    with _context() as (_settings, sessions, store), sessions() as session:
        view = model_admin.overview(session, store, serving=None)
    if as_json:
        typer.echo(json.dumps(view, indent=2, default=str))
        return
    _print_overview(view)


def _print_overview(view: dict[str, Any]) -> None:
    typer.echo(f"registry: {view['where']}")
    for v in view["versions"]:
        number = f"#{v['registry_version']} " if v["registry_version"] else ""
        aliases = f"  [{', '.join(v['aliases'])}]" if v["aliases"] else ""
        typer.echo(f"  {number}{v['version']}{aliases}")
    typer.echo("history (newest first):")
    for e in view["history"]:
        typer.echo(f"  {e['at']}  {e['action']:<10} {e['alias']:<10} {e['version']} "
                   f"(was {e['previous_version']}) by {e['actor']}"
                   + (f": {e['reason']}" if e["reason"] else ""))


def register(app: typer.Typer) -> None:
    for command in (retrain, promote, rollback, models):
        app.command()(command)
