"""The web root: a server-rendered overview with a submit form (the full UI is its own issue)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from autotriage.storage import repository

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def mount(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        runtime = request.app.state.runtime
        with runtime.sessions() as session:
            counts = repository.status_counts(session)
            recent = repository.list_tickets(
                session, repository.TicketFilter(), before_id=None, limit=20
            )
            return templates.TemplateResponse(
                request,
                "index.html",
                {
                    "counts": counts,
                    "total": sum(counts.values()),
                    "recent": recent,
                    "model_version": runtime.models.model.version
                    if runtime.models.loaded else None,
                },
            )
