"""Authorization as a matrix: every route of the app has a policy entry, and every role gets
the answer its entry promises (401 without credentials, 403 below the role, neither above)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from autotriage.app import create_app
from autotriage.runtime import Runtime
from autotriage.security import policy
from autotriage.storage.tables import Role
from tests.security_helpers import bearer, make_key

CALLERS = (None, Role.SUBMITTER, Role.REVIEWER, Role.ADMIN)
PARAMS = {"ticket_id": "1", "review_id": "1", "run_id": "1", "version": "v0", "field": "queue",
          "source": "zendesk"}


def app_routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            yield "GET", str(route.path)
            continue
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                yield method, str(route.path)


@pytest.fixture
def secured(runtime: Runtime) -> Iterator[tuple[TestClient, dict[str | None, dict[str, str]]]]:
    settings = runtime.settings.model_copy(update={"auth_enabled": True})
    headers: dict[str | None, dict[str, str]] = {None: {}}
    for role in Role.ALL:
        headers[role] = bearer(make_key(runtime.sessions, f"matrix-{role}", role))
    with TestClient(create_app(settings, runtime=runtime, background=False)) as client:
        yield client, headers


def test_every_route_has_a_policy_entry(runtime: Runtime) -> None:
    app = create_app(runtime.settings, runtime=runtime, background=False)
    missing = sorted(set(app_routes(app)) - set(policy.POLICY))
    assert not missing, f"routes without an entry in security/policy.py: {missing}"


def _call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> int:
    url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: PARAMS.get(m.group(1), "x"), path)
    if url == "/static":
        url = "/static/style.css"
    # a JSON body of the wrong type: rejected (422) only after the gate, and changes nothing
    body = {"json": []} if method in ("POST", "PUT") and url not in ("/login",) else {}
    response = client.request(method, url, headers=headers, follow_redirects=False, **body)
    return response.status_code


def test_role_by_endpoint_matrix(secured: tuple[TestClient, dict[str | None, dict[str, str]]]
                                 ) -> None:
    client, headers = secured
    failures = []
    for method, path in sorted(set(app_routes(client.app))):  # type: ignore[arg-type]
        needed = policy.requirement(method, path)
        for caller in CALLERS:
            status = _call(client, method, path, headers[caller])
            if needed in (policy.PUBLIC, policy.SIGNED):
                ok = status not in (403, 429) and not (needed == policy.PUBLIC and status == 401)
            elif caller is None:
                ok = status == 401
            elif policy.allows(caller, needed):
                ok = status not in (401, 403)
            else:
                ok = status == 403
            if not ok:
                failures.append(f"{caller or 'anonymous'} {method} {path} ({needed}) -> {status}")
    assert not failures, "\n".join(failures)


def test_pages_send_people_to_the_login_form(
        secured: tuple[TestClient, dict[str | None, dict[str, str]]]) -> None:
    client, _ = secured
    response = client.get("/", headers={"accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/"
    api = client.get("/api/v1/tickets", headers={"accept": "text/html"})
    assert api.status_code == 401 and api.headers["www-authenticate"].startswith("Bearer")


def test_a_route_missing_from_the_table_is_admin_only() -> None:
    assert policy.requirement("DELETE", "/api/v1/something-new") == Role.ADMIN
    assert policy.requirement("HEAD", "/health") == policy.PUBLIC
