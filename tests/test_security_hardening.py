"""Rate limits, body size limit, security headers and CORS on the real app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from autotriage.app import create_app
from autotriage.runtime import Runtime
from autotriage.security.ratelimit import TokenBuckets
from autotriage.storage.tables import Role
from tests.security_helpers import bearer, make_key


def _app(runtime: Runtime, **overrides: Any) -> TestClient:
    settings = runtime.settings.model_copy(update={"auth_enabled": True, **overrides})
    return TestClient(create_app(settings, runtime=runtime, background=False))


@pytest.fixture
def limited(runtime: Runtime) -> Iterator[TestClient]:
    with _app(runtime, rate_limit_per_minute=60, rate_limit_burst=3) as client:
        yield client


def test_token_bucket_refills_at_its_rate() -> None:
    buckets = TokenBuckets(rate_per_minute=60, burst=2)
    assert [buckets.take("k", now=0.0) for _ in range(3)] == [0.0, 0.0, 1.0]
    assert buckets.take("k", now=1.0) == 0.0  # one token back after a second
    assert buckets.take("other", now=1.0) == 0.0  # callers do not share a bucket
    assert TokenBuckets(0, 1).take("k") == 0.0  # 0 turns limiting off


def test_rate_limit_per_key_answers_429_with_retry_after(limited: TestClient,
                                                         runtime: Runtime) -> None:
    first = bearer(make_key(runtime.sessions, "busy", Role.ADMIN))
    second = bearer(make_key(runtime.sessions, "calm", Role.ADMIN))
    statuses = [limited.get("/api/v1/tickets", headers=first).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = limited.get("/api/v1/tickets", headers=first)
    assert refused.json()["code"] == "rate_limited" and int(refused.headers["retry-after"]) >= 1
    assert limited.get("/api/v1/tickets", headers=second).status_code == 200


def test_rate_limit_per_address_without_a_key(limited: TestClient) -> None:
    statuses = [limited.get("/api/v1/tickets").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]  # guessing keys is limited too
    assert limited.get("/health").status_code == 429


def test_body_over_the_limit_is_refused_before_it_is_read(runtime: Runtime) -> None:
    key = bearer(make_key(runtime.sessions, "big", Role.ADMIN))
    with _app(runtime, max_body_bytes=2048) as client:
        big = {"subject": "s", "body": "x" * 4000}
        declared = client.post("/api/v1/tickets", json=big, headers=key)
        assert declared.status_code == 413 and declared.json()["code"] == "payload_too_large"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield b'{"subject": "s", "body": "'
            for _ in range(10):
                yield b"y" * 500
            yield b'"}'

        streamed = client.post("/api/v1/tickets", content=chunks(),
                               headers={**key, "content-type": "application/json"})
        assert streamed.status_code == 413
        assert client.post("/api/v1/tickets", json={"subject": "s", "body": "fine"},
                           headers=key).status_code == 202
        assert client.get("/api/v1/tickets", headers=key).json()["items"][0]["body"] == "fine"


def test_security_headers_on_every_answer(client: TestClient) -> None:
    for response in (client.get("/health"), client.get("/api/v1/tickets/999999"),
                     client.get("/static/style.css")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_cors_is_closed_unless_origins_are_configured(runtime: Runtime, client: TestClient
                                                      ) -> None:
    preflight = {"Origin": "https://helpdesk.example", "Access-Control-Request-Method": "POST"}
    closed = client.options("/api/v1/tickets", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    with _app(runtime, cors_origins=("https://helpdesk.example",)) as open_client:
        allowed = open_client.options("/api/v1/tickets", headers=preflight)
        assert allowed.headers["access-control-allow-origin"] == "https://helpdesk.example"
        other = open_client.options("/api/v1/tickets",
                                    headers={**preflight, "Origin": "https://evil.example"})
        assert other.headers.get("access-control-allow-origin") != "https://evil.example"
