"""Browser login and logout: a password gives a signed, HttpOnly session cookie."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from autotriage.errors import Forbidden, RateLimited
from autotriage.security import accounts, credentials
from autotriage.security.auth import (
    SESSION_COOKIE,
    SecurityState,
    client_address,
    presented_token,
)
from autotriage.security.ratelimit import retry_after

router = APIRouter(tags=["login"])
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "ui" / "templates")
LOGIN_CSRF_COOKIE = "autotriage_login_csrf"


def _safe_next(target: str | None) -> str:
    # only paths of this site, so the login form cannot be used to send people elsewhere
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _page(request: Request, next_path: str, error: str | None, status: int,
          token: str | None = None) -> HTMLResponse:
    token = token or secrets.token_urlsafe(24)
    response = templates.TemplateResponse(
        request, "login.html", {"csrf_token": token, "next": next_path, "error": error},
        status_code=status)
    state: SecurityState = request.app.state.security
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=state.settings.session_cookie_secure, path="/login")
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return _page(request, _safe_next(next), None, 200)


@router.post("/login", response_class=HTMLResponse, include_in_schema=False)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1_000)],
    csrf_token: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=2_000)] = "/",
) -> Response:
    """Checks the login form's own CSRF cookie, then the password; failed attempts are limited
    per client address (AUTOTRIAGE_LOGIN_ATTEMPTS_PER_MINUTE)."""
    state: SecurityState = request.app.state.security
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf_token, expected):
        raise Forbidden("the login form expired or did not come from this site; reload /login")
    settings = state.settings
    with request.app.state.runtime.sessions() as session:
        token = accounts.login(session, username, password, settings.session_max_age_seconds)
        session.commit()
    if token is None:
        wait = state.failed_logins.take(f"address:{client_address(request)}")
        if wait > 0:
            raise RateLimited("too many failed logins from this address; wait and retry",
                              retry_after=retry_after(wait))
        return _page(request, _safe_next(next), "wrong username or password", 401, csrf_token)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, credentials.sign(token, state.signing_key),
                        max_age=int(settings.session_max_age_seconds), httponly=True,
                        samesite="lax", secure=settings.session_cookie_secure, path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request) -> Response:
    """Ends the session on the server too, so a copied cookie stops working."""
    state: SecurityState = request.app.state.security
    token, from_cookie = presented_token(request, state)
    if token and from_cookie:
        with request.app.state.runtime.sessions() as session:
            accounts.logout(session, token)
            session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
