"""What every page needs: who is looking, the templates, and a per-page role requirement.

The security gate (issue 9) authenticates every request and checks the route's entry in
security/policy.py; with authentication off, the UI runs in local single-user mode (one
person, `local`, with every role). A page also states the least role it needs with one
dependency, `Depends(require(Role.REVIEWER))`, which gives it the viewer for its template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from autotriage.errors import Forbidden, Unauthorized
from autotriage.runtime import Runtime
from autotriage.security.auth import csrf_for
from autotriage.security.policy import RANK
from autotriage.storage.tables import Role

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")

NAV = (  # (path, title, least role)
    ("/", "Dashboard", Role.REVIEWER),
    ("/submit", "Submit", Role.SUBMITTER),
    ("/tickets", "Tickets", Role.REVIEWER),
    ("/review", "Review", Role.REVIEWER),
    ("/models", "Models", Role.ADMIN),
    ("/monitoring", "Monitoring", Role.REVIEWER),
)


@dataclass(frozen=True)
class Viewer:
    username: str
    role: str
    local_mode: bool
    csrf_token: str | None = None

    def can(self, role: str) -> bool:
        return RANK.get(self.role, 0) >= RANK[role]


def viewer(request: Request) -> Viewer:
    """Who is looking, from the principal the security gate (issue 9) put on the request.
    With authentication off (a private laptop), everyone is the local admin."""
    principal = getattr(request.state, "principal", None)
    local = not runtime_of(request).settings.auth_enabled
    if principal is None:
        if not local:
            raise Unauthorized("log in to see this page")
        return Viewer("local", Role.ADMIN, local_mode=True)
    return Viewer(principal.username, principal.role, local_mode=local,
                  csrf_token=csrf_for(request))


def require(role: str) -> Callable[[Request], Viewer]:
    def dependency(request: Request) -> Viewer:
        who = viewer(request)
        if not who.can(role):
            raise Forbidden(f"this page needs the {role} role; you are {who.role}")
        return who
    return dependency


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def render(request: Request, template: str, who: Viewer, **context: Any) -> HTMLResponse:
    nav = [(path, title) for path, title, role in NAV if who.can(role)]
    return templates.TemplateResponse(request, template, {
        "viewer": who, "nav": nav, "path": request.url.path, **context,
    })


def ago(moment: datetime | None) -> str:
    """'3 min ago' style age for people; SQLite hands back naive UTC."""
    if moment is None:
        return "-"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = max(0, int((datetime.now(UTC) - moment).total_seconds()))
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


templates.env.filters["ago"] = ago
templates.env.filters["pct"] = lambda x: "-" if x is None else f"{float(x) * 100:.1f}%"
