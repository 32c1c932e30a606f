"""The embedded service as `autotriage serve` runs it: background worker threads and sweeper."""

from __future__ import annotations

from fastapi.testclient import TestClient

from autotriage.app import create_app
from autotriage.config import Settings
from autotriage.domain import intake
from autotriage.ml.model import TriageModel
from autotriage.runtime import Runtime
from tests.conftest import wait_for


def test_submit_poll_classified(migrated: Settings, stored_model: TriageModel) -> None:
    with TestClient(create_app(migrated)) as client:
        accepted = client.post("/api/v1/tickets", json={
            "subject": "Passwort vergessen",
            "body": "Hallo, ich kann mich nicht mehr anmelden, mein Passwort wird abgelehnt.",
        }).json()

        def classified() -> bool:
            return client.get(accepted["status_url"]).json()["status"] != "received"

        wait_for(classified)
        ticket = client.get(accepted["status_url"]).json()
        assert ticket["decision"] in ("auto_route", "human_review", "escalate")
        assert ticket["language"] == "de"
        assert ticket["model_version"] == stored_model.version


def test_tickets_accepted_before_a_crash_are_classified_after_restart(
    migrated: Settings, stored_model: TriageModel
) -> None:
    # Tickets committed, but the process died before its in-memory queue was consumed.
    crashed = Runtime(migrated)
    with crashed.sessions() as session:
        ids = [a.id for a in intake.submit(
            session,
            [intake.NewTicket("Order late", f"Order {n} has not arrived yet.") for n in range(20)],
            max_chars=migrated.max_text_chars,
        )]
        session.commit()
    crashed.close()

    with TestClient(create_app(migrated)) as client:
        def all_classified() -> bool:
            statuses = [client.get(f"/api/v1/tickets/{i}").json()["status"] for i in ids]
            return "received" not in statuses

        wait_for(all_classified)
