"""Routing rules: schema errors with line numbers, evaluation, storage and reload, the admin API,
and the rules recorded with every decision."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from autotriage.domain.decision import Decision
from autotriage.domain.rule_eval import TicketFacts, evaluate
from autotriage.domain.rulebook import DEFAULT_RULES_FILE, RuleBook
from autotriage.domain.rules import RulesInvalid, parse_rules
from autotriage.runtime import Runtime
from autotriage.storage import migrate
from autotriage.storage.db import make_engine, make_session_factory
from autotriage.worker.loop import Worker

RULES = """\
timezone: Europe/Berlin
business_hours: {days: [mon, tue, wed, thu, fri], start: "08:00", end: "18:00"}
guardrails:
  - name: legal
    keywords: [lawyer, Anwalt, abogado, avocat, data protection, DSGVO]
rules:
  - name: vip
    when: {sender_domain: bigcorp.com, urgency: [high]}
    then: {escalate: true, team: key-accounts}
  - name: billing
    when: {predicted: {queue: [billing, returns_refunds]}}
    then: {team: finance, group: level-1}
  - name: night-shift
    when: {business_hours: false}
    then: {group: on-call}
  - name: angry
    when: {sentiment: negative, keywords: [refund, Erstattung]}
    then: {review: true}
"""


def _facts(**kw: object) -> TicketFacts:
    values: dict[str, object] = {"subject": "", "body": "hello",
                                 "received_at": datetime(2026, 3, 4, 10, 0, tzinfo=UTC)}
    values.update(kw)
    return TicketFacts(**values)  # type: ignore[arg-type]


def _errors(document: str) -> list[tuple[int | None, str]]:
    with pytest.raises(RulesInvalid) as caught:
        parse_rules(document)
    return [(e.line, e.message) for e in caught.value.errors]


def test_default_rules_file_is_valid() -> None:
    ruleset = parse_rules(DEFAULT_RULES_FILE.read_text())
    assert {r.name for r in ruleset.guardrails} == {"legal-threat", "data-protection-request"}


def test_errors_name_the_line() -> None:
    assert _errors("rules:\n  - name: x\n    when: {urgency: [high}\n")[0][0] == 3
    errors = _errors(RULES.replace("urgency: [high]", "urgncy: [high]")
                     .replace('end: "18:00"', 'end: "7:00"')
                     .replace("escalate: true", "escalate: maybe")
                     .replace("timezone: Europe/Berlin", "timezone: Europe/Atlantis"))
    lines = dict(errors)
    assert "unknown time zone" in lines[1]
    assert "end must be later" in lines[2]
    assert "unknown key 'urgncy'" in lines[8]
    assert "true or false" in lines[9]
    assert _errors("rules:\n  - name: a\n    then: {}\n  - name: a\n    then: {review: true}\n"
                   ) == [(3, "name at least one action of ['team', 'group', 'escalate', 'review']"),
                         (2, "rule name 'a' is used more than once"),
                         (4, "rule name 'a' is used more than once")]
    assert _errors("")[0] == (1, "the document is empty; add `rules:`")
    assert "sentiment is one of" in _errors("rules:\n  - name: s\n    when: {sentiment: grumpy}"
                                            "\n    then: {review: true}\n")[0][1]


def test_evaluation_guardrails_assignment_and_business_hours() -> None:
    ruleset = parse_rules(RULES)
    for text in ("Mein Anwalt meldet sich.", "Hablaré con mi abogado", "J'appelle mon avocat",
                 "Auskunft nach DSGVO bitte"):
        outcome = evaluate(ruleset, _facts(body=text))
        assert outcome.review and outcome.apply(Decision.AUTO_ROUTE) is Decision.HUMAN_REVIEW
        assert outcome.fired[0].name == "legal"
    # "lawyered" is not the keyword "lawyer"
    assert not evaluate(ruleset, _facts(body="we lawyered up")).review

    vip = evaluate(ruleset, _facts(sender="Boss <ceo@eu.bigcorp.com>", urgency="high",
                                   predicted={"queue": "billing"}))
    assert vip.escalate and vip.team == "key-accounts" and vip.group == "level-1"
    assert vip.apply(Decision.AUTO_ROUTE) is Decision.ESCALATE
    assert [c.name for c in vip.fired] == ["vip", "billing"]
    not_vip = evaluate(ruleset, _facts(sender="x@notbigcorp.com", urgency="high"))
    assert not not_vip.escalate
    assert "sender_domain is 'notbigcorp.com'" in not_vip.checks[1].why[0]

    # 17:30 UTC is 18:30 in Berlin in winter but 19:30 in summer: both after hours;
    # 16:30 UTC is 17:30 in winter (open) and 18:30 in summer (closed).
    winter = datetime(2026, 1, 7, 16, 30, tzinfo=UTC)
    summer = datetime(2026, 7, 8, 16, 30, tzinfo=UTC)
    saturday = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)
    assert evaluate(ruleset, _facts(received_at=winter)).group is None
    assert evaluate(ruleset, _facts(received_at=summer)).group == "on-call"
    assert evaluate(ruleset, _facts(received_at=saturday)).group == "on-call"

    angry = evaluate(ruleset, _facts(body="I want my refund", sentiment="negative"))
    assert angry.review and not angry.escalate
    assert angry.apply(Decision.ESCALATE) is Decision.ESCALATE  # rules never relax


def test_rules_reload_across_processes_without_restart(migrated: object) -> None:
    """Two rule books over one database stand for two processes."""
    url = migrated.resolved_database_url  # type: ignore[attr-defined]
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    now = [0.0]
    api_side, worker_side = (RuleBook(None, 5.0, clock=lambda: now[0]) for _ in range(2))
    try:
        with sessions() as session:
            assert worker_side.current(session).version == 0  # the seed file
            api_side.save(session, RULES, "alice")
            session.commit()
            assert worker_side.current(session).version == 0  # cached for 5 s
            now[0] = 6.0
            active = worker_side.current(session)
            assert active.version == 1 and active.updated_by == "alice"
            assert [r.name for r in active.ruleset.rules][0] == "vip"
    finally:
        engine.dispose()


@pytest.fixture
def routed_drain(runtime: Runtime) -> Callable[[], int]:
    worker = Worker(runtime.sessions, runtime.queue, runtime.models, runtime.policy,
                    name="rules-test", batch_size=64, routing=lambda: runtime.routing)

    def run() -> int:
        handled = 0
        while runtime.queue.backlog():
            handled += worker.run_once(block_seconds=0)
        return handled

    return run


def test_admin_api_validates_stores_and_dry_runs(client: TestClient) -> None:
    seeded = client.get("/api/v1/rules").json()
    assert seeded["version"] == 0 and seeded["source"] == "file"

    bad = client.put("/api/v1/rules", content=RULES.replace("then: {team: finance",
                                                             "then: {tem: finance"),
                     headers={"content-type": "application/yaml"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_rules"
    assert bad.json()["errors"][0]["line"] == 12 and "tem" in bad.json()["detail"]
    assert client.get("/api/v1/rules").json()["version"] == 0  # nothing stored

    saved = client.put("/api/v1/rules", content=RULES, headers={
        "content-type": "application/yaml", "x-user": "alice"})
    assert saved.status_code == 200 and saved.json()["version"] == 1
    assert client.get("/api/v1/rules").json()["updated_by"] == "alice"
    again = client.put("/api/v1/rules", json={"document": RULES})
    assert again.json()["version"] == 2
    assert client.put("/api/v1/rules", content=b"\xff", headers={
        "content-type": "text/yaml"}).status_code == 422
    assert client.put("/api/v1/rules", json={"doc": RULES}).status_code == 422

    run = client.post("/api/v1/rules/dry-run", json={
        "body": "I want a refund, this is unacceptable", "sender": "a@bigcorp.com",
        "predicted": {"queue": "billing"}, "urgency": "high",
        "received_at": "2026-03-04T10:00:00+00:00"}).json()
    fired = {c["name"]: c for c in run["checks"] if c["fired"]}
    assert set(fired) == {"vip", "billing", "angry"}
    assert fired["angry"]["why"] == ["sentiment is 'negative'", "text contains 'refund'"]
    assert run["team"] == "key-accounts" and run["signals"]["sentiment"]["label"] == "negative"
    not_fired = {c["name"]: c["why"] for c in run["checks"] if not c["fired"]}
    assert not_fired["night-shift"] == ["received inside business hours"]

    with_model = client.post("/api/v1/rules/dry-run", json={
        "subject": "Anwalt", "body": "Ich schalte meinen Anwalt ein."}).json()
    assert with_model["predicted"] and with_model["decision"] in ("human_review", "escalate")
    unsaved = client.post("/api/v1/rules/dry-run", json={
        "body": "x", "document": "rules: [\n"})
    assert unsaved.status_code == 422 and unsaved.json()["errors"][0]["line"] == 2


def test_every_decision_records_rules_and_signals(
    client: TestClient, routed_drain: Callable[[], int]
) -> None:
    client.put("/api/v1/rules", content=RULES, headers={"content-type": "application/yaml"})
    ids = client.post("/api/v1/tickets/batch", json={"tickets": [
        {"subject": "Rechnung", "body": "Meine Rechnung ist doppelt. Sonst kommt mein Anwalt.",
         "sender": "kunde@example.de"},
        {"subject": "Invoice", "body": "Please send me the invoice for March.",
         "sender": "x@bigcorp.com"},
    ]}).json()["ids"]
    assert routed_drain() == 2
    legal = client.get(f"/api/v1/tickets/{ids[0]}").json()
    assert legal["status"] in ("in_review", "escalated")
    assert legal["rules_fired"][0]["name"] == "legal"
    assert legal["rules_fired"][0]["why"] == ["text contains 'anwalt'"]
    assert legal["signals"]["sentiment"]["label"] in ("negative", "neutral", "positive")
    assert legal["signals"]["rules_version"] == 1
    assert legal["signals"]["urgency"] is None and legal["signals"]["sla"] is None  # no models
    plain = client.get(f"/api/v1/tickets/{ids[1]}").json()
    assert all(r["name"] != "legal" for r in plain["rules_fired"])
    assert plain["assigned_team"] in (None, "finance")


@pytest.mark.postgres
def test_rules_storage_on_postgres(postgres_url: str) -> None:
    migrate.upgrade(postgres_url)
    engine = make_engine(postgres_url)
    sessions = make_session_factory(engine)
    book = RuleBook(None, 0.0)
    try:
        with sessions() as session:
            assert book.current(session).version == 0
            assert book.save(session, RULES, "bob").version == 1
            session.commit()
            assert book.current(session).version == 1
            with pytest.raises(RulesInvalid):
                book.save(session, "rules: 3\n", "bob")
            session.rollback()
            assert book.current(session).version == 1
    finally:
        engine.dispose()
