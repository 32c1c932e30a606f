"""Shared set-up for the review tests: settings that send every ticket to review, and tickets
submitted and classified through the real API and worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from autotriage.config import Settings
from autotriage.demo_data import generate_tickets
from autotriage.domain.decision import DecisionPolicy
from autotriage.runtime import Runtime
from autotriage.worker.loop import Worker

FIELDS = ("queue", "priority", "type")


def review_settings(data_dir: Path, **overrides: Any) -> Settings:
    # auth off: who acts is the X-User header (ignored by Settings where auth does not exist).
    values: dict[str, Any] = {"data_dir": data_dir, "label_fields": FIELDS,
                              "auth_enabled": False}
    return Settings(**{**values, **overrides}, _env_file=None)  # type: ignore[call-arg]


def drain_with(runtime: Runtime, *, auto: bool) -> Callable[[], int]:
    """Run the real worker with the live policy made deterministic for the test: every field
    auto-routes (`auto`) or none does, nothing is novel and no escalation rule applies."""
    def policy() -> DecisionPolicy:
        base = runtime.policy()
        fields = {name: replace(p, thresholds={}, default_threshold=1e-9 if auto else None,
                                novelty_below=0.0) for name, p in base.fields.items()}
        return replace(base, fields=fields, rules=())

    worker = Worker(runtime.sessions, runtime.queue, runtime.models, policy,
                    name="review-test", batch_size=256)

    def run() -> int:
        handled = 0
        while runtime.queue.backlog():
            handled += worker.run_once(block_seconds=0)
        return handled

    return run


def submit(client: TestClient, drain: Callable[[], int], n: int, seed: int = 3) -> list[int]:
    tickets = [{"subject": t["subject"], "body": t["body"]} for t in generate_tickets(n, seed=seed)]
    response = client.post("/api/v1/tickets/batch", json={"tickets": tickets})
    assert response.status_code == 202, response.text
    drain()
    return list(response.json()["ids"])


def as_user(user: str) -> dict[str, str]:
    return {"X-User": user}


def verdict(client: TestClient, ticket_id: int, user: str, action: str = "accept",
            **extra: Any) -> Any:
    return client.post(f"/api/v1/review/tickets/{ticket_id}/verdict",
                       json={"action": action, **extra}, headers=as_user(user))


def other_label(client: TestClient, field: str, not_this: str) -> str:
    labels = client.get("/api/v1/review/label-sets").json()[field]
    return next(label for label in labels if label != not_this)
