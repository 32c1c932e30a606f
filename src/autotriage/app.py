"""create_app(settings): the API, the web root and (optionally) the embedded worker."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError

from autotriage import __version__
from autotriage.api import admin_fields, health, tickets
from autotriage.api import admin_models as admin_models_api
from autotriage.api import auth as auth_api
from autotriage.api import dead_letters as dead_letters_api
from autotriage.api import docs as api_docs
from autotriage.api import integrations as integrations_api
from autotriage.api import monitoring as monitoring_api
from autotriage.api import outcomes as outcomes_api
from autotriage.api import review as review_api
from autotriage.api import rules as rules_api
from autotriage.api import stats as stats_api
from autotriage.api.openapi import document_errors
from autotriage.config import Settings
from autotriage.errors import AutotriageError
from autotriage.observability.middleware import ObservabilityMiddleware
from autotriage.runtime import Runtime
from autotriage.security import middleware as security
from autotriage.security.auth import authorize
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
        if background:
            runtime.start_model_watch()  # issue 5: hot reload, also without embedded workers
        if background and settings.drift_check_interval_seconds > 0:
            runtime.start_drift_checks()  # issue 7
        yield
        runtime.close()

    app = FastAPI(
        title="autotriage",
        version=__version__,
        description="Self-improving support-ticket triage.",
        lifespan=lifespan,
        # /docs is served by api/docs.py from packaged files; FastAPI's own pages use a CDN.
        docs_url=None,
        redoc_url=None,
        # issue 9: every route passes one gate (security/policy.py says who may call it)
        dependencies=[Depends(authorize)],
    )
    app.state.runtime = runtime
    app.include_router(health.router)
    app.include_router(tickets.router)
    app.include_router(admin_models_api.router)
    app.include_router(dead_letters_api.router)
    app.include_router(admin_fields.router)
    app.include_router(integrations_api.router)
    app.include_router(review_api.router)
    app.include_router(outcomes_api.router)
    app.include_router(monitoring_api.router)
    security.install(app, settings)  # issue 9: body limit, security headers, CORS, login
    # request ids, HTTP metrics and one log line per request (issue 7)
    app.add_middleware(ObservabilityMiddleware)
    app.include_router(rules_api.router)
    app.include_router(stats_api.router)
    app.include_router(auth_api.router)  # /login, /logout (issue 9)
    api_docs.mount(app)  # /docs from packaged Swagger UI files
    ui_routes.mount(app)
    _install_error_handlers(app)
    document_errors(app)  # the real error body and statuses in /openapi.json (issue 9)
    return app


def _error(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"detail": message, "code": code}
    if details is not None:
        body["errors"] = details
    return JSONResponse(body, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AutotriageError)
    async def on_app_error(_request: Request, exc: AutotriageError) -> JSONResponse:
        response = _error(exc.status_code, exc.code, exc.message, exc.details)
        retry_after = getattr(exc, "retry_after", None)  # queue down or full (issue 6)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        response.headers.update(getattr(exc, "headers", {}))  # WWW-Authenticate (issue 9)
        return response

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

    @app.exception_handler(OverflowError)  # SQLite: an id past 64 bits (found by schemathesis)
    @app.exception_handler(DataError)  # PostgreSQL: integer out of range (issue 9)
    async def on_out_of_range(_request: Request, exc: Exception) -> JSONResponse:
        return _error(422, "invalid_input", "a number in the request is out of range; ids and "
                      "counts must fit in a signed 64-bit integer")

    @app.exception_handler(OperationalError)
    async def on_database_down(_request: Request, exc: OperationalError) -> JSONResponse:
        return _error(503, "database_unavailable",
                      "the database is unavailable; nothing was stored, retry later")
