"""Feedback and resolutions as labels, and the outcome figures computed from a known set of
verdicts, through the real ASGI app, worker and SQLite file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from autotriage.config import Settings
from autotriage.runtime import Runtime
from tests.review_helpers import (
    as_user,
    drain_with,
    other_label,
    review_settings,
    submit,
    verdict,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return review_settings(tmp_path / "data", review_double_share=0.0)

@pytest.fixture
def drain(runtime: Runtime) -> Callable[[], int]:
    """Every ticket goes to review, whatever the live policy would decide."""
    return drain_with(runtime, auto=False)



def predicted(client: TestClient, tid: int) -> dict[str, str]:
    ticket = client.get(f"/api/v1/tickets/{tid}").json()
    return {f: p["label"] for f, p in ticket["predictions"].items()}


def test_feedback_and_resolution_are_labels(
    client: TestClient, runtime: Runtime, drain: Callable[[], int]
) -> None:
    [reviewing] = submit(client, drain, 1)
    [routed] = submit(client, drain_with(runtime, auto=True), 1, seed=8)
    url = f"/api/v1/tickets/{routed}"
    queue = other_label(client, "queue", predicted(client, routed)["queue"])
    feedback = client.post(f"{url}/feedback", json={"labels": {"queue": queue}},
                           headers=as_user("agent7"))
    assert feedback.status_code == 201 and feedback.json()["source"] == "feedback"
    labels = client.get(url).json()["labels"]
    assert [(lb["field"], lb["value"], lb["source"], lb["actor"]) for lb in labels] == [
        ("queue", queue, "feedback", "agent7")]
    assert client.post(f"/api/v1/tickets/{reviewing}/feedback",
                       json={"labels": {"queue": queue}}).status_code == 409
    bad = client.post(f"{url}/feedback", json={"labels": {"queue": "nowhere"}})
    assert bad.status_code == 422 and "use one of" in bad.json()["detail"]
    assert client.post(f"{url}/feedback", json={"labels": {}}).status_code == 422
    assert client.post("/api/v1/tickets/99999/feedback",
                       json={"labels": {"queue": queue}}).status_code == 404

    final = {"queue": queue, "priority": predicted(client, routed)["priority"]}
    first = client.post(f"{url}/resolution", json={"labels": final}, headers=as_user("zendesk"))
    assert first.status_code == 201 and first.json()["written"] is True
    again = client.post(f"{url}/resolution", json={"labels": final})
    assert again.status_code == 200 and again.json()["written"] is False
    sources = Counter(lb["source"] for lb in client.get(url).json()["labels"])
    assert sources == {"feedback": 1, "resolution": 2}
    trail = client.get("/api/v1/review/audit", params={"ticket_id": routed}).json()["items"]
    assert [e["action"] for e in trail] == ["ticket.resolution", "ticket.feedback"]
    assert trail[1]["actor"] == "agent7"


def test_outcome_figures_from_known_verdicts(
    client: TestClient, runtime: Runtime, drain: Callable[[], int]
) -> None:
    routed = submit(client, drain_with(runtime, auto=True), 6, seed=21)
    reviewed = submit(client, drain, 6, seed=22)
    guess = {tid: predicted(client, tid) for tid in routed + reviewed}
    # Review: three accepted, two with a corrected queue, one spam.
    for tid in reviewed[:3]:
        assert verdict(client, tid, "ann").status_code == 201
    for tid in reviewed[3:5]:
        new = other_label(client, "queue", guess[tid]["queue"])
        assert verdict(client, tid, "bob", "correct", labels={"queue": new}).status_code == 201
    assert verdict(client, reviewed[5], "bob", "spam").status_code == 201
    # Auto-routed: one queue corrected by an agent, three resolved (the last one differently).
    a0, a1, a2, a3 = routed[:4]
    client.post(f"/api/v1/tickets/{a0}/feedback",
                json={"labels": {"queue": other_label(client, "queue", guess[a0]["queue"])}})
    for tid in (a1, a2):
        client.post(f"/api/v1/tickets/{tid}/resolution", json={"labels": guess[tid]})
    moved = {**guess[a3], "queue": other_label(client, "queue", guess[a3]["queue"])}
    client.post(f"/api/v1/tickets/{a3}/resolution", json={"labels": moved})

    figures = client.get("/api/v1/review/outcomes").json()
    assert figures["verdicts"] == {"accept": 3, "correct": 2, "spam": 1}
    queue = figures["fields"]["queue"]
    assert (queue["predicted"], queue["auto_routed"], queue["coverage"]) == (12, 6, 0.5)
    assert (queue["reviewed"], queue["accepted"], queue["overridden"]) == (5, 3, 2)
    assert queue["acceptance_rate"] == pytest.approx(0.6)
    assert queue["override_rate"] == pytest.approx(0.4)
    assert (queue["auto_routed_with_outcome"], queue["auto_routed_correct"]) == (4, 2)
    assert queue["realized_precision"] == pytest.approx(0.5)
    for name in ("priority", "type"):
        other = figures["fields"][name]
        assert (other["reviewed"], other["accepted"]) == (5, 5)
        assert (other["auto_routed_with_outcome"], other["realized_precision"]) == (3, 1.0)
    # Per class: the same figures split by the suggested label, summing to the field's.
    expected_reviews = Counter(guess[t]["queue"] for t in reviewed[:5])
    expected_accepts = Counter(guess[t]["queue"] for t in reviewed[:3])
    expected_outcomes = Counter(guess[t]["queue"] for t in (a0, a1, a2, a3))
    expected_correct = Counter(guess[t]["queue"] for t in (a1, a2))
    for label, c in queue["classes"].items():
        assert c["reviewed"] == expected_reviews[label]
        assert c["accepted"] == expected_accepts[label]
        assert c["auto_routed_with_outcome"] == expected_outcomes[label]
        assert c["auto_routed_correct"] == expected_correct[label]
    assert sum(c["predicted"] for c in queue["classes"].values()) == 12

    # Undoing a verdict takes it out of the figures.
    assert client.post("/api/v1/review/undo", headers=as_user("bob")).status_code == 200
    after = client.get("/api/v1/review/outcomes").json()
    assert after["verdicts"] == {"accept": 3, "correct": 2}
