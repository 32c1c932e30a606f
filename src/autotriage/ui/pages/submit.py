"""Submit a ticket: the form posts through the public API (POST /api/v1/tickets) and the page
follows the ticket's status until it is classified."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from autotriage.storage.tables import Role
from autotriage.ui.deps import Viewer, render, require

router = APIRouter(include_in_schema=False)


@router.get("/submit", response_class=HTMLResponse)
def submit_page(request: Request,
                who: Annotated[Viewer, Depends(require(Role.SUBMITTER))]) -> HTMLResponse:
    return render(request, "submit.html", who)
