"""Errors that carry their HTTP status, so every entry point reports them the same way."""

from __future__ import annotations

from typing import Any


class AutotriageError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(AutotriageError):
    status_code = 404
    code = "not_found"


class Conflict(AutotriageError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(AutotriageError):
    status_code = 413
    code = "payload_too_large"


class InvalidInput(AutotriageError):
    status_code = 422
    code = "invalid_input"


class ServiceUnavailable(AutotriageError):
    status_code = 503
    code = "unavailable"


class DataError(AutotriageError):
    """A training or import file that cannot be used as it is."""

    status_code = 422
    code = "invalid_data"


class ModelNotReady(ServiceUnavailable):
    code = "model_not_ready"


# production backends (issue 6): 503s that tell the client when to come back (Retry-After).
class QueueUnavailable(ServiceUnavailable):
    code = "queue_unavailable"

    def __init__(self, message: str, *, retry_after: int = 5, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.retry_after = retry_after


class Overloaded(QueueUnavailable):
    code = "overloaded"


# security (issue 9): who is calling, what they may do, and how often.
class Unauthorized(AutotriageError):
    status_code = 401
    code = "unauthorized"
    headers = {"WWW-Authenticate": 'Bearer realm="autotriage"'}


class Forbidden(AutotriageError):
    status_code = 403
    code = "forbidden"


class RateLimited(AutotriageError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.retry_after = retry_after
