"""What every `autotriage` command module shares: stderr console and the error-to-exit-code rule.
(A module of its own because cli.py imports the command modules that need it.)"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from autotriage.errors import AutotriageError

console = Console(stderr=True)


@contextmanager
def reported_errors() -> Iterator[None]:
    """An AutotriageError becomes its message on stderr and exit code 2."""
    try:
        yield
    except AutotriageError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
