"""Concurrent reviewers against the real PostgreSQL server, through the real ASGI app: leases
and verdicts stay exclusive when requests truly run side by side."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from autotriage.config import Settings
from autotriage.runtime import Runtime
from tests.review_helpers import as_user, drain_with, review_settings, submit, verdict

pytestmark = pytest.mark.postgres


@pytest.fixture
def settings(tmp_path: Path, postgres_url: str) -> Settings:
    return review_settings(tmp_path / "data", database_url=postgres_url, review_bulk_limit=50,
                           review_double_share=0.0)

@pytest.fixture
def drain(runtime: Runtime) -> Callable[[], int]:
    """Every ticket goes to review, whatever the live policy would decide."""
    return drain_with(runtime, auto=False)



def run_together(n: int, work: Callable[[int], Any]) -> list[Any]:
    results: list[Any] = [None] * n
    start = threading.Barrier(n)

    def one(index: int) -> None:
        start.wait()
        results[index] = work(index)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_claims_never_overlap(client: TestClient, drain: Callable[[], int]) -> None:
    ids = submit(client, drain, 24)

    def claim_some(index: int) -> list[int]:
        got: list[int] = []
        for _ in range(3):
            response = client.post("/api/v1/review/claim", json={"count": 2, "order": "oldest"},
                                   headers=as_user(f"r{index}"))
            assert response.status_code == 200, response.text
            got += response.json()["claimed"]
        return got

    claimed = [tid for got in run_together(8, claim_some) for tid in got]
    assert len(claimed) == len(set(claimed)) == 24 and set(claimed) == set(ids)

    def grab_one(index: int) -> list[int]:
        body = {"ticket_ids": [ids[0]]}
        return list(client.post("/api/v1/review/claim", json=body,
                                headers=as_user(f"x{index}")).json()["claimed"])

    for i in range(8):  # whoever holds ids[0] lets it go; then eight reviewers race for it
        client.post("/api/v1/review/release", json={"ticket_ids": [ids[0]]},
                    headers=as_user(f"r{i}"))
    winners = [got for got in run_together(8, grab_one) if got]
    assert winners == [[ids[0]]]


def test_concurrent_verdicts_and_bulks(client: TestClient, drain: Callable[[], int]) -> None:
    ids = submit(client, drain, 9)
    codes = run_together(6, lambda i: verdict(client, ids[0], f"r{i}").status_code)
    assert sorted(codes) == [201] + [409] * 5

    # Two overlapping bulks in opposite orders: one applies entirely, the other not at all.
    first, second = ids[1:6], list(reversed(ids[3:9]))

    def bulk(index: int) -> int:
        chosen = first if index == 0 else second
        response = client.post("/api/v1/review/bulk", headers=as_user(f"b{index}"),
                               json={"ticket_ids": chosen, "action": "spam"})
        return response.status_code

    results = run_together(2, bulk)
    assert sorted(results) == [201, 409]
    winner = first if results[0] == 201 else second
    statuses = {t: client.get(f"/api/v1/tickets/{t}").json()["status"] for t in ids[1:9]}
    assert {t for t, s in statuses.items() if s == "rejected"} == set(winner)
