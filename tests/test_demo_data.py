"""Tests for the demo ticket generator: determinism, coverage, variety, I/O, learnability."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from autotriage.demo_data import (
    LANGUAGES,
    PRIORITIES,
    QUEUES,
    TYPES,
    generate_tickets,
    write_tickets,
)

KEYS = {
    "external_id",
    "subject",
    "body",
    "sender",
    "channel",
    "language",
    "queue",
    "priority",
    "type",
    "created_at",
}


@pytest.fixture(scope="module")
def tickets() -> list[dict[str, str]]:
    return generate_tickets(2000, seed=7)


def test_same_seed_gives_identical_tickets() -> None:
    assert generate_tickets(300, seed=3) == generate_tickets(300, seed=3)


def test_different_seeds_give_different_tickets() -> None:
    first, second = generate_tickets(300, seed=3), generate_tickets(300, seed=4)
    assert [t["body"] for t in first] != [t["body"] for t in second]


def test_zero_and_negative_n() -> None:
    assert generate_tickets(0) == []
    with pytest.raises(ValueError):
        generate_tickets(-1)


def test_fields_and_formats(tickets: list[dict[str, str]]) -> None:
    for index, ticket in enumerate(tickets, start=1):
        assert set(ticket) == KEYS
        assert all(isinstance(value, str) and value for value in ticket.values())
        assert ticket["external_id"] == f"DEMO-{index:06d}"
        assert ticket["channel"] in ("email", "web", "chat", "phone")
        local, _, domain = ticket["sender"].partition("@")
        assert local and (domain.startswith("example.") or domain.endswith(".example"))
        assert "{" not in ticket["subject"] + ticket["body"]
    stamps = [datetime.fromisoformat(t["created_at"].replace("Z", "+00:00")) for t in tickets]
    assert all(t.tzinfo is not None for t in stamps)
    assert min(stamps).isoformat() >= "2026-10-02"
    assert max(stamps).isoformat() < "2026-11-01T00:00:01"
    assert stamps == sorted(stamps)


def test_language_shares(tickets: list[dict[str, str]]) -> None:
    shares = Counter(t["language"] for t in tickets)
    assert set(shares) == set(LANGUAGES)
    assert 0.49 <= shares["en"] / len(tickets) <= 0.61
    for language in ("de", "es", "fr"):
        assert 0.11 <= shares[language] / len(tickets) <= 0.19


def test_all_labels_present(tickets: list[dict[str, str]]) -> None:
    assert len(QUEUES) >= 8
    assert PRIORITIES == ("low", "medium", "high")
    assert TYPES == ("incident", "request", "problem", "change")
    assert {t["queue"] for t in tickets} == set(QUEUES)
    assert {t["priority"] for t in tickets} == set(PRIORITIES)
    assert {t["type"] for t in tickets} == set(TYPES)
    for language in LANGUAGES:
        assert {t["queue"] for t in tickets if t["language"] == language} == set(QUEUES)


def test_variety(tickets: list[dict[str, str]]) -> None:
    subjects: dict[str, set[str]] = defaultdict(set)
    for ticket in tickets:
        subjects[ticket["queue"]].add(ticket["subject"])
    for queue in QUEUES:
        assert len(subjects[queue]) >= 30, queue
    assert len({t["body"] for t in tickets}) >= 0.97 * len(tickets)
    sentence_counts = Counter(t["body"].count(". ") + 1 for t in tickets)
    assert min(sentence_counts) == 1
    assert max(sentence_counts) >= 6


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_write_tickets_round_trip(tmp_path: Path, suffix: str) -> None:
    data = generate_tickets(50, seed=11)
    path = tmp_path / "sub" / f"tickets{suffix}"
    write_tickets(path, data)
    with path.open(encoding="utf-8", newline="") as handle:
        if suffix == ".csv":
            loaded = list(csv.DictReader(handle))
        else:
            loaded = [json.loads(line) for line in handle]
    assert loaded == data


def test_write_tickets_rejects_other_suffix(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_tickets(tmp_path / "tickets.txt", generate_tickets(2))


def test_labels_are_learnable_but_not_trivial() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion
    from threadpoolctl import threadpool_limits

    train, test = generate_tickets(3000, seed=1), generate_tickets(1000, seed=2)

    def texts(rows: list[dict[str, str]]) -> list[str]:
        return [f"{row['subject']}\n{row['body']}" for row in rows]

    features = FeatureUnion(
        [
            ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    min_df=3,
                    max_features=20000,
                ),
            ),
        ]
    )
    x_train = features.fit_transform(texts(train))
    x_test = features.transform(texts(test))
    accuracy: dict[str, float] = {}
    for label in ("queue", "priority"):
        model = LogisticRegression(C=2.0, max_iter=2000)
        # Multi-threaded BLAS on small sparse problems mostly fights itself (10x slower
        # on a busy machine); one thread keeps this test at a few seconds.
        with threadpool_limits(limits=1):
            model.fit(x_train, [row[label] for row in train])
        predicted = model.predict(x_test)
        hits = sum(p == row[label] for p, row in zip(predicted, test, strict=True))
        accuracy[label] = hits / len(test)
    assert 0.75 <= accuracy["queue"] <= 0.99, accuracy
    assert 0.55 <= accuracy["priority"] <= 0.92, accuracy
