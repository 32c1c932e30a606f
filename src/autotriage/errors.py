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
