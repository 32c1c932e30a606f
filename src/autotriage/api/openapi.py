"""The OpenAPI document tells the truth about errors: every error body is
`{"detail": "<what to fix>", "code": "...", "errors"?: [...]}` (app.py's handlers), and every
protected operation may answer 401/403/413/429 (security, issue 9) or 503."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["detail", "code"],
    "properties": {
        "detail": {"type": "string", "description": "what went wrong and what to fix"},
        "code": {"type": "string"},
        "errors": {"description": "details: per item (a list) or per field (an object)"},
    },
}
ERRORS = {
    "400": "Bad request",
    "401": "No valid API key or session",
    "403": "The caller's role may not do this, or a missing CSRF token",
    "404": "No such resource",
    "409": "Conflicts with the current state",
    "413": "Request body or text too large",
    "422": "Invalid input",
    "429": "Too many requests; see Retry-After",
    "503": "Database, queue or model unavailable; see Retry-After where given",
}


def document_errors(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components["Error"] = ERROR_SCHEMA
            components.pop("HTTPValidationError", None)
            components.pop("ValidationError", None)
            for path_item in schema.get("paths", {}).values():
                for operation in path_item.values():
                    _error_responses(operation.setdefault("responses", {}))
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _error_responses(responses: dict[str, Any]) -> None:
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for status, description in ERRORS.items():
        existing = responses.get(status)
        if existing is None or "HTTPValidationError" in str(existing):
            responses[status] = {"description": description, **ref}
