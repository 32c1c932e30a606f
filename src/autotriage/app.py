"""create_app(settings): the API, the web root and (optionally) the embedded worker."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from autotriage import __version__
from autotriage.api import health, tickets
from autotriage.config import Settings
from autotriage.errors import AutotriageError
from autotriage.runtime import Runtime
from autotriage.ui import routes as ui_routes


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    background: bool = True,
) -> FastAPI:
    """Build the app. With `background`, the lifespan starts the embedded worker threads
    (`settings.embedded_workers`) and the sweeper; tests may drive a worker themselves."""
    settings = settings or Settings()
    runtime = runtime or Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not runtime.models.loaded:
            runtime.load_champion()
        if background and settings.embedded_workers > 0:
            runtime.start_background(settings.embedded_workers)
        yield
        runtime.close()

    app = FastAPI(
        title="autotriage",
        version=__version__,
        description="Self-improving support-ticket triage.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.include_router(health.router)
    app.include_router(tickets.router)
    ui_routes.mount(app)
    _install_error_handlers(app)
    return app


def _error(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"detail": message, "code": code}
    if details is not None:
        body["errors"] = details
    return JSONResponse(body, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AutotriageError)
    async def on_app_error(_request: Request, exc: AutotriageError) -> JSONResponse:
        return _error(exc.status_code, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        parts = []
        for e in errors:
            where = ".".join(str(p) for p in e["loc"])
            if e["type"] == "json_invalid":
                parts.append(f"request body is not valid JSON ({e['msg']})")
            elif e["type"] == "extra_forbidden":
                parts.append(f"{where}: unknown field; remove it")
            else:
                parts.append(f"{where}: {e['msg']}")
        return _error(422, "invalid_input", "; ".join(parts) or "invalid request",
                      json.loads(json.dumps(errors, default=str)))

    @app.exception_handler(OperationalError)
    async def on_database_down(_request: Request, exc: OperationalError) -> JSONResponse:
        return _error(503, "database_unavailable",
                      "the database is unavailable; nothing was stored, retry later")
