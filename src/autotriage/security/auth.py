"""The one gate every route passes: authenticate, apply the route's policy, limit the rate,
check CSRF for browser sessions. Installed as a global dependency by `create_app`."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from autotriage.config import Settings
from autotriage.errors import Forbidden, RateLimited, Unauthorized
from autotriage.security import accounts, credentials, policy
from autotriage.security.accounts import Principal
from autotriage.security.ratelimit import TokenBuckets, retry_after
from autotriage.storage.tables import Role

SESSION_COOKIE = "autotriage_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class LoginRequired(Unauthorized):
    """A person's browser asked for a page: send it to the login form instead of JSON."""

    def __init__(self, next_path: str) -> None:
        super().__init__("log in to see this page")
        self.next_path = next_path


class SecurityState:
    """Per app: the cookie signing key and the rate limiters."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.signing_key = _signing_key(settings)
        self.requests = TokenBuckets(settings.rate_limit_per_minute, settings.rate_limit_burst)
        self.failed_logins = TokenBuckets(settings.login_attempts_per_minute,
                                          max(1, int(settings.login_attempts_per_minute)))


def _signing_key(settings: Settings) -> bytes:
    if settings.session_secret is not None and settings.session_secret.get_secret_value():
        return settings.session_secret.get_secret_value().encode()
    path = settings.data_dir / "session_secret"
    if not path.exists():
        write_private(path, secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip().encode()


def write_private(path: Path, text: str) -> None:
    """Create a file only its owner can read (0600 from the start, not chmod afterwards)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def presented_token(request: Request, state: SecurityState) -> tuple[str | None, bool]:
    """(token, from_cookie): an API key in Authorization/X-API-Key, else the session cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    if request.headers.get("x-api-key"):
        return request.headers["x-api-key"].strip(), False
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return credentials.unsign(cookie, state.signing_key) or "", True
    return None, False


def _identify(request: Request, state: SecurityState) -> tuple[Principal | None, bool]:
    token, from_cookie = presented_token(request, state)
    if token is None:
        return None, False
    runtime = request.app.state.runtime
    with runtime.sessions() as session:
        principal = accounts.authenticate_token(session, token) if token else None
    if principal is not None and from_cookie != (principal.session_prefix is not None):
        principal = None  # a session token in a header, or an API key in the cookie
    return principal, True


def _limit(state: SecurityState, caller: str) -> None:
    wait = state.requests.take(caller)
    if wait > 0:
        raise RateLimited(f"too many requests from this {caller.split(':', 1)[0]}; slow down "
                          "and retry after the Retry-After seconds", retry_after=retry_after(wait))


async def authorize(request: Request) -> None:
    """The global dependency: sets `request.state.principal` or raises 401/403/429."""
    state: SecurityState = request.app.state.security
    route = request.scope.get("route")
    needed = policy.requirement(request.method, str(getattr(route, "path", "")))
    request.state.principal = None
    if needed in (policy.PUBLIC, policy.SIGNED):
        _limit(state, f"address:{client_address(request)}")
        return
    if not state.settings.auth_enabled:
        name = (request.headers.get("x-user") or "").strip()[:200] or "local"
        request.state.principal = Principal(None, name, Role.ADMIN)
        _limit(state, f"address:{client_address(request)}")
        return
    principal, presented = await run_in_threadpool(_identify, request, state)
    if principal is None:
        _limit(state, f"address:{client_address(request)}")
        _refuse(request, presented)
    assert principal is not None
    _limit(state, f"key:{principal.key_prefix or principal.session_prefix}")
    if not policy.allows(principal.role, needed):
        raise Forbidden(f"{request.method} {getattr(route, 'path', '')} needs the role {needed} "
                        f"or higher; {principal.username} acts as {principal.role}")
    if principal.session_prefix and request.method not in SAFE_METHODS:
        await _check_csrf(request, state, principal.session_prefix)
    request.state.principal = principal


def _refuse(request: Request, presented: bool) -> None:
    wants_page = request.method == "GET" and "text/html" in request.headers.get("accept", "")
    if wants_page and not request.url.path.startswith("/api/"):
        raise LoginRequired(request.url.path)
    if presented:
        raise Unauthorized("the API key or session is unknown, revoked or expired, or its user "
                           "is disabled; log in again or ask an admin for a new key")
    raise Unauthorized("authentication required: send `Authorization: Bearer <API key>` or "
                       "`X-API-Key: <API key>`, or log in at /login")


async def _check_csrf(request: Request, state: SecurityState, session_prefix: str) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(_FORMS):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = credentials.csrf_token(session_prefix, state.signing_key)
    if not sent or not secrets.compare_digest(sent, expected):
        raise Forbidden("missing or wrong CSRF token: send the page's csrf_token as the "
                        "X-CSRF-Token header or the csrf_token form field")


def current_principal(request: Request) -> Principal:
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:  # a public route asked for a user
        raise Unauthorized("authentication required")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def csrf_for(request: Request) -> str | None:
    """The CSRF token UI pages put in their forms (hidden `csrf_token`) or send as X-CSRF-Token;
    None when the caller is not a logged-in browser."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None or principal.session_prefix is None:
        return None
    state: SecurityState = request.app.state.security
    return credentials.csrf_token(principal.session_prefix, state.signing_key)


def require_role(role: str) -> object:
    """For UI routes that need more than their policy entry, e.g. a button only admins see."""
    def dependency(principal: CurrentPrincipal) -> Principal:
        if not policy.allows(principal.role, role):
            raise Forbidden(f"this needs the role {role}; you act as {principal.role}")
        return principal
    return Depends(dependency)
