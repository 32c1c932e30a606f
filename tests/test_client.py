"""The Python client against the real app (in-process and over a real socket), its retries and
its errors; the CLI's remote mode through it."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from autotriage.app import create_app
from autotriage.cli import app as cli_app
from autotriage.client import (
    AsyncAutotriageClient,
    AutotriageClient,
    ConnectionFailed,
    NotFound,
    PayloadTooLarge,
    RetryPolicy,
    Unavailable,
    ValidationFailed,
)
from autotriage.runtime import Runtime
from tests.conftest import wait_for

FAST = RetryPolicy(attempts=3, backoff=0.01, backoff_max=0.05)


def test_sync_client_covers_the_public_api(client: TestClient, drain: Any) -> None:
    api = AutotriageClient(http=client, retry=FAST)
    assert api.health() == {"status": "ok"}
    assert api.ready()["status"] == "ready"
    first = api.submit_ticket("Charged twice", "My card was charged twice.", external_id="c-1",
                              metadata={"plan": "pro"})
    assert first.duplicate is False and first.status == "received"
    batch = api.submit_batch([{"subject": "Wifi", "body": "Office wifi down",
                               "external_id": "c-2"},
                              {"subject": "Again", "body": "dup", "external_id": "c-1"}])
    assert batch.ids[1] == first.id and batch.duplicates == 1
    drain()
    ticket = api.wait_for_decision(first.id, timeout=5)
    assert ticket.decision is not None and set(ticket.predictions) == {"queue", "priority",
                                                                       "type"}
    assert ticket.metadata == {"plan": "pro"}
    page = api.list_tickets(limit=1)
    assert len(page.items) == 1 and page.next_cursor is not None
    assert [t.external_id for t in api.iter_tickets(limit=1)] == ["c-2", "c-1"]
    classified = api.classify("Refund", "Please refund order 7")
    assert classified.predictions["queue"].confidence > 0

    with pytest.raises(NotFound) as missing:
        api.get_ticket(99_999)
    assert missing.value.status == 404 and "no ticket with id 99999" in missing.value.detail
    with pytest.raises(ValidationFailed) as invalid:
        api.submit_batch([{"subject": "x", "body": "   "}])
    assert invalid.value.code == "invalid_input" and "body is empty" in invalid.value.detail
    with pytest.raises(PayloadTooLarge):
        api.classify("x", "y" * 30_000)


def test_async_client_over_the_asgi_app(runtime: Runtime) -> None:
    app = create_app(runtime.settings, runtime=runtime, background=False)

    async def scenario() -> tuple[int, int, str]:
        transport = httpx.ASGITransport(app=app)
        http = httpx.AsyncClient(transport=transport, base_url="http://autotriage")
        async with AsyncAutotriageClient(http=http, retry=FAST) as api:
            accepted = await api.submit_ticket("VPN", "VPN drops every hour", external_id="a-1")
            again = await api.submit_ticket("VPN", "VPN drops every hour", external_id="a-1")
            got = await api.get_ticket(accepted.id)
            listed = [t.id async for t in api.iter_tickets(limit=5)]
            try:
                await api.get_ticket(12345)
            except NotFound as exc:
                detail = exc.detail
            return accepted.id, again.id if again.duplicate else -1, f"{got.status}|{listed}|" \
                f"{detail}"

    ticket_id, duplicate_id, summary = asyncio.run(scenario())
    assert duplicate_id == ticket_id
    assert summary == f"received|[{ticket_id}]|no ticket with id 12345"


class _Flaky(BaseHTTPRequestHandler):
    """503 with Retry-After, then 429, then the real answer; remembers what it saw."""

    script: list[int] = []
    seen: list[dict[str, str]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers["content-length"]))
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        status = type(self).script.pop(0) if type(self).script else 202
        body = (json.dumps({"id": 7, "status": "received", "status_url": "http://x/7",
                            "duplicate": False}) if status == 202
                else json.dumps({"detail": "busy, retry", "code": "unavailable"})).encode()
        self.send_response(status)
        if status in (429, 503):
            self.send_header("Retry-After", "0")
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def flaky() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    _Flaky.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_retries_503_and_429_with_one_idempotency_key(flaky: str) -> None:
    _Flaky.script = [503, 429]
    with AutotriageClient(flaky, retry=FAST) as api:
        accepted = api.submit_ticket("s", "b")
    assert accepted.id == 7 and len(_Flaky.seen) == 3
    assert len({h["idempotency-key"] for h in _Flaky.seen}) == 1

    _Flaky.script = [503, 503, 503]
    with AutotriageClient(flaky, retry=FAST) as api, pytest.raises(Unavailable) as exc:
        api.submit_ticket("s", "b")
    assert exc.value.status == 503 and exc.value.detail == "busy, retry"


def test_connection_errors_are_retried_then_raised() -> None:
    api = AutotriageClient("http://127.0.0.1:9", retry=FAST, timeout=1)
    with api, pytest.raises(ConnectionFailed) as exc:
        api.health()
    assert exc.value.status is None and "ConnectError" in exc.value.detail


def test_retry_after_overrides_a_shorter_backoff_up_to_the_cap() -> None:
    policy = RetryPolicy(backoff=0.01, backoff_max=5.0)
    request = httpx.Request("GET", "http://x")
    assert policy.delay(1, httpx.Response(503, headers={"Retry-After": "3"},
                                          request=request)) == 3.0
    assert policy.delay(1, httpx.Response(503, headers={"Retry-After": "60"},
                                          request=request)) == 5.0
    assert policy.delay(1, None) <= 0.01


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(runtime: Runtime) -> Iterator[str]:
    """The real app on a real socket, with its embedded worker classifying."""
    port = _free_port()
    config = uvicorn.Config(create_app(runtime.settings, runtime=runtime), host="127.0.0.1",
                            port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, timeout=20)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_cli_submit_uses_the_client_against_a_remote_server(
    live_server: str, tmp_path: Path
) -> None:
    data = tmp_path / "hourly.jsonl"
    data.write_text("\n".join(json.dumps({"external_id": f"h-{i}", "subject": "Order",
                                          "body": f"Where is my parcel {i}?"})
                              for i in range(5)) + "\n")
    out = tmp_path / "decisions.jsonl"
    result = CliRunner().invoke(cli_app, ["submit", str(data), "--server", live_server,
                                          "--wait", "20", "--output", str(out)])
    assert result.exit_code == 0, result.output
    decisions = [json.loads(line) for line in out.read_text().splitlines()]
    assert [d["external_id"] for d in decisions] == [f"h-{i}" for i in range(5)]
    assert all(d["decision"] and d["predictions"]["queue"] for d in decisions)


def test_review_and_feedback_through_the_client(client: TestClient, drain: Any) -> None:
    api = AutotriageClient(http=client, retry=FAST, user="ana")
    batch = api.submit_batch([{"subject": "Hi", "body": text} for text in (
        "My card was charged twice for order 4411, please refund the duplicate payment.",
        "hello", "The office printer on floor 3 is jammed again", "?? asdf qwerty",
        "Mein Paket ist nicht angekommen", "VPN drops every ten minutes since the update")])
    drain()
    tickets = [api.get_ticket(i) for i in batch.ids]
    reviewable = [t for t in tickets if t.status in ("in_review", "escalated")]
    assert reviewable, [t.status for t in tickets]
    queue = api.review_queue(limit=50)
    assert {i.ticket.id for i in queue.items} == {t.id for t in reviewable}
    target = reviewable[0]
    claim = api.claim_for_review(ticket_ids=[target.id])
    assert claim.claimed == [target.id]
    verdict = api.submit_verdict(target.id, "accept")
    assert verdict.reviewer == "ana" and verdict.ticket_id == target.id
    written = api.submit_feedback(target.id, {"queue": verdict.labels["queue"]})
    assert written.source == "feedback" and written.written
    with pytest.raises(ValidationFailed):
        api.submit_verdict(target.id, "no-such-action")


def test_api_key_authenticates_against_a_secured_server(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autotriage.client_errors import ClientError
    from tests.security_helpers import make_key

    secured = runtime.settings.model_copy(update={"auth_enabled": True})
    key = make_key(runtime.sessions, "integration", role="submitter")
    with TestClient(create_app(secured, runtime=runtime, background=False)) as http:
        monkeypatch.delenv("AUTOTRIAGE_API_KEY", raising=False)
        with pytest.raises(ClientError) as refused:
            AutotriageClient(http=http, retry=FAST).submit_ticket("Charged twice", "Refund 1.")
        assert refused.value.status == 401
        accepted = AutotriageClient(http=http, api_key=key).submit_ticket("Charged", "Refund 2.")
        assert accepted.id > 0
        monkeypatch.setenv("AUTOTRIAGE_API_KEY", key)  # what the CLI's --server commands use
        with TestClient(create_app(secured, runtime=runtime, background=False)) as fresh:
            assert AutotriageClient(http=fresh).get_ticket(accepted.id).id == accepted.id
