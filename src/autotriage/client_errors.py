"""The errors and the retry policy of `autotriage.client` (imported from there)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

RETRY_STATUSES = frozenset({429, 502, 503, 504})


class ClientError(Exception):
    """The server refused the request, or could not be reached (status None)."""

    def __init__(self, status: int | None, detail: str, code: str | None = None,
                 body: Any = None) -> None:
        super().__init__(f"{status or 'no response'}: {detail}")
        self.status = status
        self.detail = detail
        self.code = code
        self.body = body


class BadRequest(ClientError): ...
class NotFound(ClientError): ...
class Conflict(ClientError): ...
class PayloadTooLarge(ClientError): ...
class ValidationFailed(ClientError): ...
class RateLimited(ClientError): ...
class Unavailable(ClientError): ...
class ServerError(ClientError): ...
class ConnectionFailed(ClientError): ...


_ERRORS: dict[int, type[ClientError]] = {
    404: NotFound, 409: Conflict, 413: PayloadTooLarge, 422: ValidationFailed, 429: RateLimited,
    503: Unavailable,
}


def error_for(response: httpx.Response) -> ClientError:
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    detail = body.get("detail") if isinstance(body, dict) else None
    code = body.get("code") if isinstance(body, dict) else None
    text = detail if isinstance(detail, str) else (str(detail) if detail else response.text)
    status = response.status_code
    kind = _ERRORS.get(status) or (ServerError if status >= 500 else BadRequest)
    return kind(status, text or response.reason_phrase, code, body)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # in all, the first try included
    backoff: float = 0.5  # seconds before the first retry; doubles each time, with jitter
    backoff_max: float = 30.0
    statuses: frozenset[int] = field(default=RETRY_STATUSES)

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        wait = min(self.backoff_max, self.backoff * 2 ** (attempt - 1))
        wait *= random.uniform(0.5, 1.0)  # noqa: S311 - jitter spreads retrying clients apart
        after = _retry_after(response) if response is not None else None
        return min(self.backoff_max, max(wait, after)) if after is not None else wait


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None
