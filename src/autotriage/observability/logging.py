"""Structured logs: one JSON object a line, with the request id of the request being served.

Ticket text and personal data stay out by default: the fields that could carry them (subject,
body, sender, ...) are dropped from every record unless AUTOTRIAGE_LOG_TICKET_TEXT is set.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from autotriage.security.pii import RedactingFormatter

request_id_var: ContextVar[str | None] = ContextVar("autotriage_request_id", default=None)

PRIVATE_FIELDS = frozenset({"subject", "body", "text", "texts", "sender", "email", "metadata"})
# A caller's X-Request-ID is kept only when it is short and plain, so it cannot forge log lines.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# uvicorn adds `color_message`: the message again, with terminal colour codes.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {
    "message", "asctime", "color_message"}


def new_request_id(incoming: str | None = None) -> str:
    if incoming and _REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    def __init__(self, *, include_private: bool = False) -> None:
        super().__init__()
        self.include_private = include_private

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key in _RECORD_ATTRIBUTES or key.startswith("_"):
                continue
            if key in PRIVATE_FIELDS and not self.include_private:
                continue
            entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class _RequestIdFilter(logging.Filter):
    """For the text format: `%(request_id)s` is always there."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


def configure_logging(
    log_format: str = "json", level: str = "INFO", *, include_private: bool = False
) -> None:
    """Route every logger (uvicorn's too) through one root handler in the chosen format."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter(include_private=include_private))
    else:
        handler.addFilter(_RequestIdFilter())
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    # issue 9: e-mail addresses, phone, card and IBAN numbers never reach a log line
    handler.setFormatter(RedactingFormatter(handler.formatter or logging.Formatter()))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
