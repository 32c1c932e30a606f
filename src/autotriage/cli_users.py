"""`autotriage users ...`: people and integrations, their roles and API keys (issue 9)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from autotriage.config import Settings
from autotriage.errors import AutotriageError
from autotriage.security import accounts, credentials
from autotriage.storage import migrate
from autotriage.storage import security_repository as repo
from autotriage.storage.db import make_engine, make_session_factory
from autotriage.storage.tables import CredentialKind

users_app = typer.Typer(no_args_is_help=True, help="Users, roles and API keys.")
console = Console(stderr=True)
RoleOption = Annotated[str, typer.Option(help="submitter, reviewer or admin")]


@contextmanager
def _session() -> Iterator[Session]:
    settings = Settings()
    migrate.upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        with make_session_factory(engine)() as session:
            yield session
            session.commit()
    except AutotriageError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()


@users_app.command("create")
def create(
    username: str,
    role: RoleOption = "submitter",
    password_stdin: Annotated[bool, typer.Option(
        help="read the password from standard input instead of generating one")] = False,
    no_password: Annotated[bool, typer.Option(
        help="no password: the user can only use API keys (integrations)")] = False,
) -> None:
    """Create a user. A generated password is printed once."""
    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 12:
            console.print("[red]error:[/red] the password needs at least 12 characters")
            raise typer.Exit(2)
    elif not no_password:
        password = credentials.new_password()
    with _session() as session:
        accounts.create_user(session, username, role, password)
    console.print(f"created {username} ({role})")
    if password and not password_stdin:
        typer.echo(f"password: {password}")


@users_app.command("list")
def list_users() -> None:
    """Users with role, state and their active API keys."""
    with _session() as session:
        keys: dict[str, list[str]] = {}
        for key, user in repo.list_credentials(session, CredentialKind.API_KEY):
            if key.revoked_at is None:
                keys.setdefault(user.username, []).append(f"{key.prefix}({key.role})")
        for user in repo.list_users(session):
            state = "active" if user.active else "disabled"
            typer.echo(f"{user.username}\t{user.role}\t{state}\t"
                       f"keys: {', '.join(keys.get(user.username, [])) or '-'}")


@users_app.command("disable")
def disable(username: str) -> None:
    """Disable a user: no login, and every key and session of theirs stops working."""
    with _session() as session:
        accounts.disable_user(session, username)
    console.print(f"disabled {username}; their keys and sessions are revoked")


@users_app.command("set-password")
def set_password(username: str) -> None:
    """Set a user's password from standard input (at least 12 characters)."""
    password = sys.stdin.readline().rstrip("\n")
    if len(password) < 12:
        console.print("[red]error:[/red] the password needs at least 12 characters")
        raise typer.Exit(2)
    with _session() as session:
        accounts.set_password(session, username, password)
    console.print(f"password of {username} changed")


@users_app.command("create-key")
def create_key(
    username: str,
    name: Annotated[str, typer.Option(help="what the key is for, e.g. zendesk-sync")] = "",
    role: Annotated[str | None, typer.Option(
        help="a lesser role than the user's for this key")] = None,
) -> None:
    """Create an API key; it is printed once (only its hash is kept)."""
    with _session() as session:
        key, row = accounts.create_key(session, username, name, role)
    console.print(f"key {row.prefix} for {username} ({row.role}); store it now, it is not "
                  "shown again")
    typer.echo(key)


@users_app.command("revoke-key")
def revoke_key(prefix: Annotated[str, typer.Argument(help="the prefix `users list` shows")]
               ) -> None:
    """Revoke an API key at once."""
    with _session() as session:
        accounts.revoke_key(session, prefix)
    console.print(f"revoked key {prefix}")
