"""Label quality through the real ASGI app: double review by a different reviewer, Cohen's
kappa, adjudication of conflicts, and label-error candidates (cleanlab) sent for re-review."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sklearn.metrics import cohen_kappa_score

from autotriage.config import Settings
from autotriage.domain.review import selected_for_double_review
from autotriage.runtime import Runtime
from tests.review_helpers import as_user, drain_with, other_label, review_settings, submit, verdict

DOUBLE = "/api/v1/review/double-reviews"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return review_settings(tmp_path / "data", review_double_share=1.0)


@pytest.fixture
def drain(runtime: Runtime) -> Callable[[], int]:
    return drain_with(runtime, auto=False)


def test_double_review_share_is_deterministic_and_about_right() -> None:
    picked = [selected_for_double_review(i, 0.05) for i in range(1, 20_001)]
    assert 0.045 < sum(picked) / len(picked) < 0.055
    assert picked == [selected_for_double_review(i, 0.05) for i in range(1, 20_001)]
    assert not any(selected_for_double_review(i, 0.0) for i in range(1, 1_000))


def test_double_review_agreement_and_adjudication(
    client: TestClient, drain: Callable[[], int]
) -> None:
    a, b, c = submit(client, drain, 3)
    for tid in (a, b, c):
        assert verdict(client, tid, "ann").status_code == 201
    assert client.get(DOUBLE, headers=as_user("ann")).json()["items"] == []  # not her own
    pending = client.get(DOUBLE, headers=as_user("bob")).json()["items"]
    assert [d["ticket"]["id"] for d in pending] == [a, b, c]
    assert all(d["first_labels"] is None for d in pending)  # blind second review
    claimed = client.post(f"{DOUBLE}/claim", json={"count": 2}, headers=as_user("bob")).json()
    ids = [d["id"] for d in claimed["items"]]
    assert len(ids) == 2
    assert [d["id"] for d in client.get(DOUBLE, headers=as_user("cat")).json()["items"]] == [
        pending[2]["id"]]
    own = client.post(f"{DOUBLE}/{ids[0]}/verdict", json={"action": "accept"},
                      headers=as_user("ann"))
    assert own.status_code == 409 and "different reviewer" in own.json()["detail"]
    agreed = client.post(f"{DOUBLE}/{ids[0]}/verdict", json={"action": "accept"},
                         headers=as_user("bob")).json()
    assert agreed["status"] == "agreed"
    ticket_b = client.get(f"/api/v1/tickets/{b}").json()
    moved = other_label(client, "queue", ticket_b["predictions"]["queue"]["label"])
    conflict = client.post(f"{DOUBLE}/{ids[1]}/verdict", headers=as_user("bob"),
                           json={"action": "correct", "labels": {"queue": moved}}).json()
    assert conflict["status"] == "conflict"
    assert client.post(f"{DOUBLE}/{ids[1]}/verdict", json={"action": "accept"},
                       headers=as_user("cat")).status_code == 409
    listed = client.get(DOUBLE, params={"status": "conflict"}).json()["items"]
    assert [d["id"] for d in listed] == [ids[1]]
    assert listed[0]["first_labels"]["queue"] != listed[0]["second_labels"]["queue"]

    agreement = client.get("/api/v1/review/agreement").json()
    assert agreement["reviewers"]["ann"]["queue"]["n"] == 2
    assert agreement["reviewers"]["bob"]["queue"]["observed_agreement"] == 0.5
    label_a = client.get(f"/api/v1/tickets/{a}").json()["predictions"]["queue"]["label"]
    label_b = ticket_b["predictions"]["queue"]["label"]
    expected = cohen_kappa_score([label_a, label_b], [label_a, moved])
    assert agreement["overall"]["queue"]["kappa"] == pytest.approx(expected)
    assert agreement["overall"]["priority"]["observed_agreement"] == 1.0
    assert agreement["overall"]["priority"]["kappa"] in (1.0, None)  # None: one label only

    settled = client.post(f"{DOUBLE}/{ids[1]}/adjudicate", headers=as_user("dan"),
                          json={"action": "correct", "labels": {"queue": moved}})
    assert settled.status_code == 200 and settled.json()["status"] == "adjudicated"
    labels = client.get(f"/api/v1/tickets/{b}").json()["labels"]
    assert {(lb["field"], lb["actor"]) for lb in labels} == {
        ("queue", "dan"), ("priority", "dan"), ("type", "dan")}
    assert next(lb["value"] for lb in labels if lb["field"] == "queue") == moved
    assert client.post(f"{DOUBLE}/{ids[1]}/adjudicate", json={"action": "accept"}).status_code \
        == 409
    trail = client.get("/api/v1/review/audit", params={"ticket_id": b}).json()["items"]
    assert [e["action"] for e in trail] == ["review.adjudicate", "review.second",
                                            "review.verdict"]


def test_undo_is_refused_once_a_second_review_builds_on_it(
    client: TestClient, drain: Callable[[], int]
) -> None:
    [tid] = submit(client, drain, 1)
    assert verdict(client, tid, "ann").status_code == 201
    [review] = client.get(DOUBLE, headers=as_user("bob")).json()["items"]
    client.post(f"{DOUBLE}/{review['id']}/verdict", json={"action": "accept"},
                headers=as_user("bob"))
    refused = client.post("/api/v1/review/undo", headers=as_user("ann"))
    assert refused.status_code == 409 and "second review" in refused.json()["detail"]


# A controlled set whose true labels are known: each queue has its own vocabulary.
VOCABULARY = {
    "billing": ["invoice", "charged twice", "payment", "card fee", "receipt", "overcharge"],
    "shipping": ["parcel", "delivery", "courier", "tracking number", "package", "shipment"],
    "account_access": ["password", "login", "locked out", "two-factor code", "reset link",
                       "username"],
    "technical_support": ["error message", "crash", "bug", "app freezes", "update failed",
                          "blank screen"],
}


def vocabulary_tickets(per_queue: int, seed: int) -> list[tuple[dict[str, str], str]]:
    rng = random.Random(seed)
    out = []
    for queue, words in VOCABULARY.items():
        for n in range(per_queue):
            a, b, c = rng.sample(words, 3)
            ticket = {"subject": f"{a} problem", "body": f"Hello, about the {b}: {c}. Ref {n}."}
            out.append((ticket, queue))
    rng.shuffle(out)
    return out


def test_label_error_candidates_and_requeue(client: TestClient, runtime: Runtime) -> None:
    data = vocabulary_tickets(40, seed=7)
    response = client.post("/api/v1/tickets/batch", json={"tickets": [t for t, _ in data]})
    ids = response.json()["ids"]
    drain_with(runtime, auto=False)()
    assert client.get("/api/v1/review/label-issues", params={"field": "queue"}).status_code == 409
    queues = sorted(VOCABULARY)
    flipped = set(ids[:5])
    for tid, (_, queue) in zip(ids, data, strict=True):
        if tid in flipped:  # a wrong label on purpose
            queue = queues[(queues.index(queue) + 1) % len(queues)]
        response = client.post(f"/api/v1/tickets/{tid}/resolution",
                               json={"labels": {"queue": queue}})
        assert response.status_code == 201, response.text
    found = client.get("/api/v1/review/label-issues", params={"field": "queue"}).json()
    assert found["scored"] == 160
    candidates = [c["ticket_id"] for c in found["candidates"]]
    # Confident learning only flags what the out-of-sample model is sure about: most of the
    # planted errors, few of the clean labels.
    assert len(flipped & set(candidates)) >= 4, found
    assert len(set(candidates) - flipped) <= 2, found
    assert all(c["self_confidence"] < c["suggested_confidence"] for c in found["candidates"])
    assert client.get("/api/v1/review/label-issues",
                      params={"field": "colour"}).status_code == 422

    assert client.post("/api/v1/review/requeue",
                       json={"ticket_ids": candidates[:2]}).status_code == 409  # still in review
    for tid in candidates[:2]:
        assert verdict(client, tid, "ann").status_code == 201
    sent = client.post("/api/v1/review/requeue", json={"ticket_ids": candidates[:2]},
                       headers=as_user("lead"))
    assert sent.status_code == 200 and sent.json()["ticket_ids"] == candidates[:2]
    assert client.get(f"/api/v1/tickets/{candidates[0]}").json()["status"] == "in_review"
    trail = client.get("/api/v1/review/audit", params={"ticket_id": candidates[0]}).json()
    assert trail["items"][0]["action"] == "review.requeue"
