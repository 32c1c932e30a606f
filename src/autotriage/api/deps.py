"""Injected shortcuts for routers: the process runtime and a database session per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from autotriage.runtime import Runtime
from autotriage.security.auth import CurrentPrincipal  # noqa: F401 - for routers (issue 9)


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_session(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Iterator[Session]:
    with runtime.sessions() as session:
        yield session


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SessionDep = Annotated[Session, Depends(get_session)]


def get_current_user(request: Request) -> str:
    """The authenticated user's name (issue 9: set by security.auth.authorize); with
    AUTOTRIAGE_AUTH_ENABLED=false, the X-User header or `local`."""
    principal = getattr(request.state, "principal", None)
    return principal.username if principal is not None else "local"


CurrentUser = Annotated[str, Depends(get_current_user)]
