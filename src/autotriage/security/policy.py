"""Who may call what: one table from (method, route template) to the least role it needs.

Every route of the app must be named here; `tests/test_security_matrix.py` walks `app.routes`
and fails on any route without an entry. A route missing anyway (added at run time) is
admin-only, so forgetting an entry never opens anything.
"""

from __future__ import annotations

from typing import Final

from autotriage.storage.tables import Role

PUBLIC: Final = "public"
# Authenticated by the request's own signature (helpdesk webhooks), not by a user.
SIGNED: Final = "signed"

RANK = {Role.SUBMITTER: 1, Role.REVIEWER: 2, Role.ADMIN: 3}

_S, _R, _A = Role.SUBMITTER, Role.REVIEWER, Role.ADMIN
V1 = "/api/v1"

POLICY: dict[tuple[str, str], str] = {
    # probes, metrics (no personal data: route templates and bounded labels, redacted anyway),
    # the API description, the login page and static files
    ("GET", "/health"): PUBLIC,
    ("GET", "/ready"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs-assets"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("GET", "/static"): PUBLIC,
    ("POST", f"{V1}/webhooks/{{source}}"): SIGNED,
    # tickets: submitters create and read their own (the handlers narrow reads to them)
    ("POST", f"{V1}/tickets"): _S,
    ("POST", f"{V1}/tickets/batch"): _S,
    ("GET", f"{V1}/tickets/{{ticket_id}}"): _S,
    ("GET", f"{V1}/tickets"): _S,
    ("POST", f"{V1}/classify"): _S,
    ("GET", "/"): _R,
    # web UI pages (issue 8); each page also states its role with ui.deps.require
    ("GET", "/submit"): _S,
    ("GET", "/tickets"): _R,
    ("GET", "/tickets/{ticket_id}"): _R,
    ("GET", "/review"): _R,
    ("GET", "/review/similar/{ticket_id}"): _R,
    ("GET", "/models"): _A,
    ("GET", "/monitoring"): _R,
    # review, outcomes, statistics, monitoring
    ("GET", f"{V1}/review/queue"): _R,
    ("POST", f"{V1}/review/claim"): _R,
    ("POST", f"{V1}/review/release"): _R,
    ("POST", f"{V1}/review/tickets/{{ticket_id}}/verdict"): _R,
    ("POST", f"{V1}/review/bulk"): _R,
    ("POST", f"{V1}/review/undo"): _R,
    ("GET", f"{V1}/review/label-sets"): _R,
    ("GET", f"{V1}/review/outcomes"): _R,
    ("GET", f"{V1}/review/double-reviews"): _R,
    ("POST", f"{V1}/review/double-reviews/claim"): _R,
    ("POST", f"{V1}/review/double-reviews/{{review_id}}/verdict"): _R,
    ("POST", f"{V1}/review/double-reviews/{{review_id}}/adjudicate"): _R,
    ("GET", f"{V1}/review/agreement"): _R,
    ("GET", f"{V1}/review/label-issues"): _R,
    ("POST", f"{V1}/review/requeue"): _R,
    ("POST", f"{V1}/tickets/{{ticket_id}}/feedback"): _R,
    ("POST", f"{V1}/tickets/{{ticket_id}}/resolution"): _R,
    ("GET", f"{V1}/stats"): _R,
    ("GET", f"{V1}/drift"): _R,
    ("GET", f"{V1}/rules"): _R,
    # administration: models, field modes and thresholds, rules, dead letters, audit
    ("GET", f"{V1}/review/audit"): _A,
    ("GET", f"{V1}/admin/models"): _A,
    ("POST", f"{V1}/admin/models/retrain"): _A,
    ("GET", f"{V1}/admin/models/retrain/{{run_id}}"): _A,
    ("GET", f"{V1}/admin/models/shadow"): _A,
    ("POST", f"{V1}/admin/models/{{version}}/promote"): _A,
    ("POST", f"{V1}/admin/models/rollback"): _A,
    ("GET", f"{V1}/admin/fields"): _A,
    ("PUT", f"{V1}/admin/fields/{{field}}"): _A,
    ("PUT", f"{V1}/rules"): _A,
    ("POST", f"{V1}/rules/dry-run"): _A,
    ("GET", f"{V1}/dead-letters"): _A,
    ("POST", f"{V1}/dead-letters/redrive"): _A,
    ("GET", f"{V1}/webhooks/deliveries"): _A,
}


def requirement(method: str, path: str) -> str:
    """PUBLIC, SIGNED or the least role; HEAD follows GET."""
    method = "GET" if method == "HEAD" else method
    return POLICY.get((method, path), Role.ADMIN)


def allows(role: str, needed: str) -> bool:
    return RANK.get(role, 0) >= RANK[needed]
