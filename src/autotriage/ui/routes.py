"""The web UI (issue 8): server-rendered pages under /, static files under /static.

Each page module owns its routes and states the least role it needs; pages read through the
same domain services and repositories as the API, and change state only through the JSON API.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from autotriage.ui.deps import HERE
from autotriage.ui.pages import dashboard, models, monitoring, review, submit, tickets

PAGES = (dashboard, submit, tickets, review, models, monitoring)


def mount(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for page in PAGES:
        app.include_router(page.router)
