"""One ASGI middleware for every HTTP request: request id, latency metrics, one log line."""

from __future__ import annotations

import logging
import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from autotriage.observability import metrics
from autotriage.observability.logging import new_request_id, request_id_var

log = logging.getLogger("autotriage.http")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Probes and scrapes arrive every few seconds; their log lines would drown the rest.
QUIET_ROUTES = frozenset({"/metrics", "/health", "/ready"})


def route_template(scope: Scope) -> str:
    """The matched route's template (`/api/v1/tickets/{ticket_id}`), never the raw path, so
    ids cannot multiply the label values; requests no route matched share one value."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id(Headers(scope=scope).get("x-request-id"))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - started)
            request_id_var.reset(token)

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float) -> None:
        route = route_template(scope)
        method = scope["method"] if scope["method"] in METHODS else "OTHER"
        metrics.HTTP_REQUESTS.labels(route, method, str(status)).inc()
        metrics.HTTP_DURATION.labels(route, method).observe(seconds)
        level = logging.DEBUG if route in QUIET_ROUTES and status < 500 else logging.INFO
        log.log(level, "request", extra={
            "method": method, "route": route, "status": status,
            "latency_ms": round(seconds * 1000, 3),
        })
