"""Map helpdesks' "ticket created" webhook payloads onto a new ticket.

Each helpdesk's ticket id becomes the ticket's external_id (`zendesk:35436`), so a webhook that
is delivered twice, or retried by the helpdesk, returns the ticket stored the first time.
Example payloads: docs/integrations/.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from typing import Any

from autotriage.domain.intake import NewTicket
from autotriage.errors import InvalidInput, NotFound
from autotriage.integrations.text import html_to_text

# Dotted paths tried in order; the first present, non-empty value wins.
ZENDESK: dict[str, tuple[str, ...]] = {
    # Zendesk "event" webhooks (zen:event-type:ticket.created) put the ticket under `detail`;
    # trigger webhooks carry whatever JSON body the admin wrote, conventionally `ticket`.
    "id": ("detail.id", "ticket.id", "id"),
    "subject": ("detail.subject", "ticket.subject", "subject"),
    "body": ("detail.description", "ticket.description", "ticket.latest_comment",
             "description"),
    "sender": ("detail.requester.email", "ticket.requester.email", "ticket.requester_email",
               "requester.email"),
}
FRESHDESK: dict[str, tuple[str, ...]] = {
    "id": ("freshdesk_webhook.ticket_id", "ticket_id", "id"),
    "subject": ("freshdesk_webhook.ticket_subject", "ticket_subject", "subject"),
    "body": ("freshdesk_webhook.ticket_description", "ticket_description", "description"),
    "sender": ("freshdesk_webhook.ticket_contact_email", "ticket_contact_email",
               "freshdesk_webhook.ticket_email"),
}
JSM: dict[str, tuple[str, ...]] = {
    "id": ("issue.key", "issue.id"),
    "subject": ("issue.fields.summary",),
    "body": ("issue.fields.description",),
    "sender": ("issue.fields.reporter.emailAddress", "user.emailAddress"),
}
BUILT_IN = {"zendesk": ZENDESK, "freshdesk": FRESHDESK, "jsm": JSM}
# Freshdesk sends HTML descriptions; Zendesk and JSM plain text (JSM v3 may send ADF JSON).
HTML_BODIES = {"freshdesk"}


def to_ticket(
    source: str, payload: Any, mappings: Mapping[str, Mapping[str, str]]
) -> NewTicket:
    """The new ticket a webhook payload describes; InvalidInput naming the missing fields."""
    if not isinstance(payload, dict):
        raise InvalidInput("the webhook body must be a JSON object")
    paths = _paths_for(source, mappings)
    values = {name: _first(payload, candidates) for name, candidates in paths.items()}
    missing = [name for name in ("id", "body") if values.get(name) in (None, "")]
    if missing:
        wanted = "; ".join(f"{name} at {' or '.join(paths[name])}" for name in missing)
        raise InvalidInput(
            f"{source} webhook payload lacks {', '.join(missing)}: expected {wanted}"
        )
    body = _text(values["body"], source)
    return NewTicket(
        subject=_text(values.get("subject") or "", source),
        body=body,
        sender=_short(values.get("sender")),
        channel=source,
        external_id=f"{source}:{_plain(values['id'])}"[:200],
        metadata={"source": source, "source_ticket_id": _plain(values["id"])},
    )


def _paths_for(
    source: str, mappings: Mapping[str, Mapping[str, str]]
) -> dict[str, tuple[str, ...]]:
    if source in mappings:
        mapping = mappings[source]
        for required in ("id", "body"):
            if required not in mapping:
                raise NotFound(
                    f"the mapping of webhook source {source!r} has no {required!r} path; "
                    "fix AUTOTRIAGE_WEBHOOK_MAPPINGS"
                )
        return {name: (path,) for name, path in mapping.items()
                if name in ("id", "subject", "body", "sender")}
    if source in BUILT_IN:
        return BUILT_IN[source]
    raise NotFound(
        f"webhook source {source!r} has no field mapping; use zendesk, freshdesk or jsm, or "
        "map its fields in AUTOTRIAGE_WEBHOOK_MAPPINGS"
    )


def _first(payload: dict[str, Any], candidates: tuple[str, ...]) -> Any:
    for path in candidates:
        value: Any = payload
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value not in (None, ""):
            return value
    return None


def _plain(value: Any) -> str:
    return str(value).strip()


def _short(value: Any) -> str | None:
    return None if value in (None, "") else str(value).strip()[:320]


def _text(value: Any, source: str) -> str:
    if isinstance(value, dict):
        return adf_to_text(value)
    text = str(value)
    if source in HTML_BODIES or _looks_like_html(text):
        return html_to_text(text)
    return text


_TAG = re.compile(r"<(p|div|br|html|body|span|table|ul|ol|li|b|i|a)\b", re.IGNORECASE)


def _looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text))


def adf_to_text(node: dict[str, Any]) -> str:
    """Plain text of an Atlassian Document Format tree (Jira Cloud REST v3 descriptions)."""
    parts: list[str] = []
    _walk_adf(node, parts.append)
    return html.unescape("".join(parts)).strip()


def _walk_adf(node: Any, emit: Callable[[str], None]) -> None:
    if not isinstance(node, dict):
        return
    if node.get("type") == "text":
        emit(str(node.get("text", "")))
    elif node.get("type") == "hardBreak":
        emit("\n")
    for child in node.get("content", []) or []:
        _walk_adf(child, emit)
    if node.get("type") in ("paragraph", "heading", "listItem", "codeBlock"):
        emit("\n")
