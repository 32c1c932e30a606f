"""What a retrain learns from: base file + every verified label, deduplicated, the latest verdict
winning, unsettled conflicts left out, the newest labels held out; the lock; the triggers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from autotriage.config import Settings
from autotriage.domain import retraining
from autotriage.storage import model_repository as repo
from autotriage.storage import repository
from autotriage.storage.db import make_engine, make_session_factory
from autotriage.storage.migrate import upgrade
from autotriage.storage.tables import DoubleReview, ReviewVerdict, utcnow

FIELDS = ["queue", "priority"]


def _ticket(session: Session, subject: str, body: str) -> int:
    return repository.insert_tickets(session, [{"subject": subject, "body": body}])[0]


def _label(session: Session, ticket: int, field: str, value: str, **extra: object) -> None:
    repository.add_labels(session, [{"ticket_id": ticket, "field": field, "value": value,
                                     "source": "review", "actor": "ann", **extra}])


def _base() -> pd.DataFrame:
    rows = [(f"ticket number {i} about topic {i % 3}", f"q{i % 3}", ["low", "high"][i % 2])
            for i in range(30)]
    rows.append(("Printer  is BROKEN", "q0", "low"))
    rows.append(("printer is broken", "q1", "low"))  # the same text: one row survives
    return pd.DataFrame(rows, columns=["text", *FIELDS])


def test_labels_merge_dedupe_and_hold_out(migrated: Settings) -> None:
    sessions = make_session_factory(make_engine(migrated.resolved_database_url))
    with sessions() as session:
        printer = _ticket(session, "Printer is", "broken")
        other = _ticket(session, "VPN", "drops every hour")
        undone = _ticket(session, "Mail", "bounces")
        disputed = _ticket(session, "Laptop", "fan loud")
        _label(session, printer, "queue", "q2")
        _label(session, printer, "queue", "q1")  # the latest verdict wins
        _label(session, other, "queue", "q0")
        _label(session, undone, "queue", "q2", invalidated_at=utcnow())
        _label(session, disputed, "queue", "q0")
        verdict = ReviewVerdict(ticket_id=disputed, reviewer="ann", action="correct",
                                round="first", label_values={}, batch="b", prev_status="x",
                                new_status="y")
        session.add(verdict)
        session.flush()
        session.add(DoubleReview(ticket_id=disputed, first_verdict_id=verdict.id,
                                 first_reviewer="ann", status="conflict"))
        session.commit()
        labels = repo.verified_labels(session, FIELDS)
    assert {(x.ticket_id, x.value) for x in labels} == {(printer, "q1"), (other, "q0")}

    def build() -> retraining.RetrainData:
        return retraining.assemble(_base(), labels, FIELDS, golden=None, golden_share=0.2,
                                   recent_share=0.5, seed=1)

    data = build()
    keys = data.train["text"].map(retraining.normalize).tolist()
    assert len(keys) == len(set(keys)), "one row per normalized text"
    # The newest labelled ticket (VPN) is held out for evaluation, never trained on.
    assert data.recent["text"].str.contains("VPN").all() and len(data.recent) == 1
    assert not data.train["text"].str.contains("VPN").any()
    printer_rows = data.train[data.train["text"].map(retraining.normalize) == "printer is broken"]
    if len(printer_rows):  # unless the golden slice took it, the label overrides the base file
        assert printer_rows.iloc[0]["queue"] == "q1" and printer_rows.iloc[0]["priority"] is None
    golden_keys = set(data.golden["text"].map(retraining.normalize))
    assert not golden_keys & set(keys), "nothing evaluated on is trained on"
    assert data.summary["labelled_tickets"] == 2
    # Labels are read afresh every time: a second retrain uses them again.
    assert build().summary == data.summary


def test_validation_names_what_to_fix() -> None:
    one_class = pd.DataFrame({"text": [f"t{i}" for i in range(20)], "queue": ["q"] * 20,
                              "priority": ["a", "b"] * 10})
    from autotriage.errors import DataError

    with pytest.raises(DataError, match="'queue' has fewer than two distinct labels"):
        retraining.assemble(one_class, [], FIELDS, golden=one_class.iloc[:4], golden_share=0.2,
                            recent_share=0.2, seed=0)


def _lock_race(url: str) -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    wins: list[str] = []
    barrier = threading.Barrier(4)

    def contend(owner: str) -> None:
        barrier.wait()
        with sessions() as session:
            if repo.try_lock(session, "retrain", owner, timedelta(minutes=5)):
                wins.append(owner)
            session.commit()

    threads = [threading.Thread(target=contend, args=(f"p{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    with sessions() as session:
        assert repo.try_lock(session, "retrain", wins[0], timedelta(minutes=5))  # renew
        assert not repo.try_lock(session, "retrain", "late", timedelta(minutes=5))
        repo.release_lock(session, "retrain", wins[0])
        assert repo.try_lock(session, "retrain", "late", timedelta(seconds=-1))  # expires at once
        assert repo.try_lock(session, "retrain", "next", timedelta(minutes=5))  # takes over
        session.commit()
        assert repo.lock_holder(session, "retrain").owner == "next"  # type: ignore[union-attr]
    engine.dispose()


def test_lock_on_sqlite(migrated: Settings) -> None:
    _lock_race(migrated.resolved_database_url)


@pytest.mark.postgres
def test_lock_on_postgres(postgres_url: str) -> None:
    upgrade(postgres_url)
    _lock_race(postgres_url)


def test_triggers() -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    policy = retraining.TriggerPolicy(every_labels=200, interval_hours=0, daily_at="")
    assert retraining.due_trigger(policy, now=now, new_labels=199, last_retrain=now) is None
    assert retraining.due_trigger(policy, now=now, new_labels=200, last_retrain=now) == "labels"
    hourly = retraining.TriggerPolicy(0, 6, "")
    assert retraining.due_trigger(hourly, now=now, new_labels=0,
                                  last_retrain=now - timedelta(hours=5)) is None
    assert retraining.due_trigger(hourly, now=now, new_labels=0,
                                  last_retrain=now - timedelta(hours=6)) == "schedule"
    daily = retraining.TriggerPolicy(0, 0, "03:30")
    assert retraining.due_trigger(daily, now=now, new_labels=0,
                                  last_retrain=now - timedelta(hours=2)) is None
    assert retraining.due_trigger(daily, now=now, new_labels=0,
                                  last_retrain=now - timedelta(hours=9)) == "schedule"
    with pytest.raises(ValueError):
        Settings(retrain_daily_at="25:00", _env_file=None)  # type: ignore[call-arg]
