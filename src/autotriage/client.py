"""A typed Python client for the autotriage API, sync (`AutotriageClient`) and async
(`AsyncAutotriageClient`), over httpx.

Both retry on 429, 502, 503, 504 and connection errors with exponential backoff, honouring a
Retry-After header; any other error status raises a `ClientError` subclass that carries the
status, the server's `detail` and its `code`. Single submissions carry an Idempotency-Key, so a
retried POST never stores a ticket twice; give batch tickets an `external_id` for the same.

    from autotriage.client import AutotriageClient

    with AutotriageClient("http://127.0.0.1:8000") as client:
        accepted = client.submit_ticket("Charged twice", "My card was charged twice.")
        ticket = client.wait_for_decision(accepted.id)
        print(ticket.decision, ticket.predictions["queue"].label)
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from autotriage.api.review_schemas import ClaimOut, LabelsWritten, QueueOut, VerdictOut
from autotriage.api.schemas import (
    BatchAccepted,
    ClassifyOut,
    TicketAccepted,
    TicketDetail,
    TicketIn,
    TicketOut,
    TicketPage,
)
from autotriage.client_errors import (
    BadRequest,
    ClientError,
    Conflict,
    ConnectionFailed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    RetryPolicy,
    ServerError,
    Unavailable,
    ValidationFailed,
    error_for,
)

__all__ = [
    "AsyncAutotriageClient", "AutotriageClient", "BadRequest", "ClientError", "Conflict",
    "ConnectionFailed", "NotFound", "PayloadTooLarge", "RateLimited", "RetryPolicy",
    "ServerError", "Unavailable", "ValidationFailed",
]

Model = TypeVar("Model", bound=BaseModel)


def _ticket_json(ticket: TicketIn | Mapping[str, Any]) -> dict[str, Any]:
    model = ticket if isinstance(ticket, TicketIn) else TicketIn.model_validate(dict(ticket))
    return model.model_dump(exclude_none=True)


def _params(**filters: Any) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, value in filters.items():
        if value is None:
            continue
        params[name] = value.isoformat() if isinstance(value, datetime) else value
    return params


class _Requests:
    """What both clients send and how they read the answer; only the transport differs."""

    retry: RetryPolicy

    @staticmethod
    def submit_args(subject: str, body: str, sender: str | None, channel: str | None,
                    external_id: str | None, metadata: dict[str, Any] | None,
                    idempotency_key: str | None) -> dict[str, Any]:
        payload = _ticket_json(TicketIn(subject=subject, body=body, sender=sender,
                                        channel=channel, external_id=external_id,
                                        metadata=metadata))
        key = idempotency_key or uuid.uuid4().hex
        return {"json": payload, "headers": {"Idempotency-Key": key}}

    @staticmethod
    def parse(response: httpx.Response, model: type[Model]) -> Model:
        return model.model_validate(response.json())

    user: str | None = None

    def as_user(self) -> dict[str, str]:
        # Who acts in review and feedback (X-User, until authenticated users exist).
        return {"X-User": self.user} if self.user else {}

    @staticmethod
    def verdict_json(action: str, labels: Mapping[str, str] | None,
                     note: str | None) -> dict[str, Any]:
        return {"action": action, "labels": dict(labels or {}),
                **({"note": note} if note else {})}

    @staticmethod
    def labels_json(labels: Mapping[str, str], note: str | None) -> dict[str, Any]:
        return {"labels": dict(labels), **({"note": note} if note else {})}

    @staticmethod
    def claim_json(count: int, ticket_ids: Sequence[int] | None) -> dict[str, Any]:
        return {"ticket_ids": list(ticket_ids)} if ticket_ids else {"count": count}

    def should_retry(self, attempt: int, response: httpx.Response | None) -> bool:
        if attempt >= self.retry.attempts:
            return False
        return response is None or response.status_code in self.retry.statuses


def _with_key(headers: Mapping[str, str] | None, api_key: str | None) -> dict[str, str]:
    """The API key given, else AUTOTRIAGE_API_KEY from the environment, as a Bearer token."""
    merged = dict(headers or {})
    key = api_key or os.environ.get("AUTOTRIAGE_API_KEY")
    if key and "authorization" not in {name.lower() for name in merged}:
        merged["Authorization"] = f"Bearer {key}"
    return merged


class AutotriageClient(_Requests):
    def __init__(self, base_url: str = "http://127.0.0.1:8000", *, timeout: float = 10.0,
                 retry: RetryPolicy | None = None, headers: Mapping[str, str] | None = None,
                 http: httpx.Client | None = None, user: str | None = None,
                 api_key: str | None = None) -> None:
        self.retry = retry or RetryPolicy()
        headers = _with_key(headers, api_key)
        if http is not None:
            http.headers.update(headers)  # a client you pass in gets the key and headers too
        self.http = http or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout,
                                         headers=headers)
        self.user = user

    def __enter__(self) -> AutotriageClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send with retries; returns a 2xx response or raises ClientError."""
        attempt = 0
        while True:
            attempt += 1
            response: httpx.Response | None = None
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                if not self.should_retry(attempt, None):
                    raise ConnectionFailed(None, f"{type(exc).__name__}: {exc}") from exc
            if response is not None and response.is_success:
                return response
            if not self.should_retry(attempt, response):
                assert response is not None
                raise error_for(response)
            time.sleep(self.retry.delay(attempt, response))

    def submit_ticket(self, subject: str, body: str, *, sender: str | None = None,
                      channel: str | None = None, external_id: str | None = None,
                      metadata: dict[str, Any] | None = None,
                      idempotency_key: str | None = None) -> TicketAccepted:
        args = self.submit_args(subject, body, sender, channel, external_id, metadata,
                                idempotency_key)
        return self.parse(self.request("POST", "/api/v1/tickets", **args), TicketAccepted)

    def submit_batch(self, tickets: Sequence[TicketIn | Mapping[str, Any]]) -> BatchAccepted:
        payload = {"tickets": [_ticket_json(t) for t in tickets]}
        return self.parse(self.request("POST", "/api/v1/tickets/batch", json=payload),
                          BatchAccepted)

    def get_ticket(self, ticket_id: int) -> TicketDetail:
        return self.parse(self.request("GET", f"/api/v1/tickets/{ticket_id}"), TicketDetail)

    def list_tickets(self, *, status: str | None = None, decision: str | None = None,
                     predicted: Sequence[str] | None = None, created_from: datetime | None = None,
                     created_to: datetime | None = None, q: str | None = None,
                     cursor: str | None = None, limit: int | None = None) -> TicketPage:
        params = _params(status=status, decision=decision, predicted=list(predicted or []) or None,
                         created_from=created_from, created_to=created_to, q=q, cursor=cursor,
                         limit=limit)
        return self.parse(self.request("GET", "/api/v1/tickets", params=params), TicketPage)

    def iter_tickets(self, **filters: Any) -> Iterator[TicketOut]:
        """Every ticket matching the filters, newest first, following the cursor."""
        cursor = None
        while True:
            page = self.list_tickets(cursor=cursor, **filters)
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def wait_for_decision(self, ticket_id: int, timeout: float = 30.0,
                          poll: float = 0.25) -> TicketDetail:
        deadline = time.monotonic() + timeout
        while True:
            ticket = self.get_ticket(ticket_id)
            if ticket.decision is not None or time.monotonic() >= deadline:
                return ticket
            time.sleep(poll)

    def classify(self, subject: str, body: str) -> ClassifyOut:
        payload = {"subject": subject, "body": body}
        return self.parse(self.request("POST", "/api/v1/classify", json=payload), ClassifyOut)

    # --- review and feedback (X-User names the reviewer) ---

    def review_queue(self, *, order: str | None = None, status: str | None = None,
                     limit: int | None = None) -> QueueOut:
        params = _params(order=order, status=status, limit=limit)
        return self.parse(self.request("GET", "/api/v1/review/queue", params=params,
                                       headers=self.as_user()), QueueOut)

    def claim_for_review(self, count: int = 1,
                         ticket_ids: Sequence[int] | None = None) -> ClaimOut:
        return self.parse(self.request("POST", "/api/v1/review/claim",
                                       json=self.claim_json(count, ticket_ids),
                                       headers=self.as_user()), ClaimOut)

    def submit_verdict(self, ticket_id: int, action: str,
                       labels: Mapping[str, str] | None = None,
                       note: str | None = None) -> VerdictOut:
        return self.parse(self.request("POST", f"/api/v1/review/tickets/{ticket_id}/verdict",
                                       json=self.verdict_json(action, labels, note),
                                       headers=self.as_user()), VerdictOut)

    def submit_feedback(self, ticket_id: int, labels: Mapping[str, str],
                        note: str | None = None) -> LabelsWritten:
        return self.parse(self.request("POST", f"/api/v1/tickets/{ticket_id}/feedback",
                                       json=self.labels_json(labels, note),
                                       headers=self.as_user()), LabelsWritten)

    def submit_resolution(self, ticket_id: int, labels: Mapping[str, str]) -> LabelsWritten:
        return self.parse(self.request("POST", f"/api/v1/tickets/{ticket_id}/resolution",
                                       json=self.labels_json(labels, None),
                                       headers=self.as_user()), LabelsWritten)

    def health(self) -> dict[str, Any]:
        return dict(self.request("GET", "/health").json())

    def ready(self) -> dict[str, Any]:
        """The readiness report; not ready (503) is an answer here, not an error."""
        response = self.http.get("/ready")
        if response.status_code not in (200, 503):
            raise error_for(response)
        return dict(response.json())


class AsyncAutotriageClient(_Requests):
    def __init__(self, base_url: str = "http://127.0.0.1:8000", *, timeout: float = 10.0,
                 retry: RetryPolicy | None = None, headers: Mapping[str, str] | None = None,
                 http: httpx.AsyncClient | None = None, user: str | None = None,
                 api_key: str | None = None) -> None:
        self.retry = retry or RetryPolicy()
        headers = _with_key(headers, api_key)
        if http is not None:
            http.headers.update(headers)
        self.http = http or httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout,
                                              headers=headers)
        self.user = user

    async def __aenter__(self) -> AsyncAutotriageClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        attempt = 0
        while True:
            attempt += 1
            response: httpx.Response | None = None
            try:
                response = await self.http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                if not self.should_retry(attempt, None):
                    raise ConnectionFailed(None, f"{type(exc).__name__}: {exc}") from exc
            if response is not None and response.is_success:
                return response
            if not self.should_retry(attempt, response):
                assert response is not None
                raise error_for(response)
            await asyncio.sleep(self.retry.delay(attempt, response))

    async def submit_ticket(self, subject: str, body: str, *, sender: str | None = None,
                            channel: str | None = None, external_id: str | None = None,
                            metadata: dict[str, Any] | None = None,
                            idempotency_key: str | None = None) -> TicketAccepted:
        args = self.submit_args(subject, body, sender, channel, external_id, metadata,
                                idempotency_key)
        return self.parse(await self.request("POST", "/api/v1/tickets", **args), TicketAccepted)

    async def submit_batch(self, tickets: Sequence[TicketIn | Mapping[str, Any]]
                           ) -> BatchAccepted:
        payload = {"tickets": [_ticket_json(t) for t in tickets]}
        return self.parse(await self.request("POST", "/api/v1/tickets/batch", json=payload),
                          BatchAccepted)

    async def get_ticket(self, ticket_id: int) -> TicketDetail:
        return self.parse(await self.request("GET", f"/api/v1/tickets/{ticket_id}"),
                          TicketDetail)

    async def list_tickets(self, *, status: str | None = None, decision: str | None = None,
                           predicted: Sequence[str] | None = None,
                           created_from: datetime | None = None,
                           created_to: datetime | None = None, q: str | None = None,
                           cursor: str | None = None, limit: int | None = None) -> TicketPage:
        params = _params(status=status, decision=decision, predicted=list(predicted or []) or None,
                         created_from=created_from, created_to=created_to, q=q, cursor=cursor,
                         limit=limit)
        return self.parse(await self.request("GET", "/api/v1/tickets", params=params),
                          TicketPage)

    async def iter_tickets(self, **filters: Any) -> AsyncIterator[TicketOut]:
        cursor = None
        while True:
            page = await self.list_tickets(cursor=cursor, **filters)
            for item in page.items:
                yield item
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    async def wait_for_decision(self, ticket_id: int, timeout: float = 30.0,
                                poll: float = 0.25) -> TicketDetail:
        deadline = time.monotonic() + timeout
        while True:
            ticket = await self.get_ticket(ticket_id)
            if ticket.decision is not None or time.monotonic() >= deadline:
                return ticket
            await asyncio.sleep(poll)

    async def classify(self, subject: str, body: str) -> ClassifyOut:
        payload = {"subject": subject, "body": body}
        return self.parse(await self.request("POST", "/api/v1/classify", json=payload),
                          ClassifyOut)

    # --- review and feedback (X-User names the reviewer) ---

    async def review_queue(self, *, order: str | None = None, status: str | None = None,
                     limit: int | None = None) -> QueueOut:
        params = _params(order=order, status=status, limit=limit)
        return self.parse(await self.request("GET", "/api/v1/review/queue", params=params,
                                       headers=self.as_user()), QueueOut)

    async def claim_for_review(self, count: int = 1,
                         ticket_ids: Sequence[int] | None = None) -> ClaimOut:
        return self.parse(await self.request("POST", "/api/v1/review/claim",
                                       json=self.claim_json(count, ticket_ids),
                                       headers=self.as_user()), ClaimOut)

    async def submit_verdict(self, ticket_id: int, action: str,
                       labels: Mapping[str, str] | None = None,
                       note: str | None = None) -> VerdictOut:
        return self.parse(await self.request("POST", f"/api/v1/review/tickets/{ticket_id}/verdict",
                                       json=self.verdict_json(action, labels, note),
                                       headers=self.as_user()), VerdictOut)

    async def submit_feedback(self, ticket_id: int, labels: Mapping[str, str],
                        note: str | None = None) -> LabelsWritten:
        return self.parse(await self.request("POST", f"/api/v1/tickets/{ticket_id}/feedback",
                                       json=self.labels_json(labels, note),
                                       headers=self.as_user()), LabelsWritten)

    async def submit_resolution(self, ticket_id: int, labels: Mapping[str, str]) -> LabelsWritten:
        return self.parse(await self.request("POST", f"/api/v1/tickets/{ticket_id}/resolution",
                                       json=self.labels_json(labels, None),
                                       headers=self.as_user()), LabelsWritten)

    async def health(self) -> dict[str, Any]:
        return dict((await self.request("GET", "/health")).json())

    async def ready(self) -> dict[str, Any]:
        response = await self.http.get("/ready")
        if response.status_code not in (200, 503):
            raise error_for(response)
        return dict(response.json())
