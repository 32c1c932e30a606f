"""Commands of the production backends (issue 6): `deadletters list|redrive` and
`worker-health`, added to the `autotriage` app in cli.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from autotriage.config import Settings
from autotriage.errors import AutotriageError

console = Console(stderr=True)
dead_letters_app = typer.Typer(no_args_is_help=True,
                               help="Messages that failed AUTOTRIAGE_MAX_ATTEMPTS times.")
health_app = typer.Typer()


def _fail(exc: AutotriageError) -> typer.Exit:
    console.print(f"[red]error:[/red] {exc.message}")
    return typer.Exit(2)


@dead_letters_app.command("list")
def list_dead_letters(
    limit: Annotated[int, typer.Option(min=1, help="oldest first")] = 50,
) -> None:
    """Print dead letters as JSON lines (id, ticket_id, attempts, reason, failed_at)."""
    from autotriage.queue import make_queue

    queue = make_queue(Settings())
    try:
        letters, total = queue.dead_letters(limit), queue.dead_letter_count()
    except AutotriageError as exc:
        raise _fail(exc) from exc
    finally:
        queue.close()
    for letter in letters:
        typer.echo(json.dumps({"id": letter.id, "ticket_id": letter.ticket_id,
                               "attempts": letter.attempts, "reason": letter.reason,
                               "failed_at": letter.failed_at.isoformat()}))
    console.print(f"{len(letters)} shown, {total} dead letters in all")


@dead_letters_app.command("redrive")
def redrive_dead_letters(
    ids: Annotated[list[str] | None, typer.Argument(help="dead-letter ids from `list`")] = None,
    all_: Annotated[bool, typer.Option("--all", help="re-drive the oldest --limit")] = False,
    limit: Annotated[int, typer.Option(min=1)] = 1000,
) -> None:
    """Make the tickets `received` again and queue them."""
    from autotriage.runtime import Runtime
    from autotriage.worker import dead_letters

    if bool(ids) == all_:
        console.print("[red]error:[/red] name dead-letter ids or pass --all, not both")
        raise typer.Exit(2)
    runtime = Runtime(Settings())
    try:
        moved = dead_letters.redrive(runtime.sessions, runtime.queue, None if all_ else ids,
                                     limit=limit, actor="cli")
    except AutotriageError as exc:
        raise _fail(exc) from exc
    finally:
        runtime.close()
    missing = sorted(set(ids or []) - {letter.id for letter in moved})
    console.print(f"re-drove {len(moved)} dead letters"
                  + (f"; not found: {', '.join(missing)}" if missing else ""))


@health_app.command("worker-health")
def worker_health(
    max_age: Annotated[float, typer.Option(help="seconds; older means stuck")] = 60.0,
) -> None:
    """Liveness of a worker on this machine: exit 0 when its heartbeat file is fresh."""
    from autotriage.worker.process import heartbeat_age

    settings = Settings()
    if not settings.worker_heartbeat_file:
        console.print("[red]error:[/red] AUTOTRIAGE_WORKER_HEARTBEAT_FILE is not set")
        raise typer.Exit(2)
    age = heartbeat_age(Path(settings.worker_heartbeat_file))
    if age is None or age > max_age:
        console.print(f"worker heartbeat is {'missing' if age is None else f'{age:.0f} s old'}")
        raise typer.Exit(1)
    console.print(f"worker alive (heartbeat {age:.0f} s old)")
