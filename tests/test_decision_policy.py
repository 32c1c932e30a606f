"""Decision policy v2: field modes, per-class thresholds, escalation; the admin API (issue 3)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest
from fastapi.testclient import TestClient

from autotriage.app import create_app
from autotriage.config import Settings
from autotriage.domain.decision import (
    Decision,
    DecisionPolicy,
    FieldDecision,
    FieldMode,
    FieldPolicy,
    TicketContext,
    policy_from_model_info,
    register_escalation_rule,
    unregister_escalation_rule,
)
from autotriage.ml.model import FieldResult, TriageModel
from autotriage.runtime import Runtime
from tests.conftest import wait_for


def r(label: str, p: float) -> FieldResult:
    return FieldResult(label, p, [(label, p)])


def policy(**modes: FieldMode) -> DecisionPolicy:
    thresholds = {"billing": 0.8, "shipping": None}
    return DecisionPolicy({
        name: FieldPolicy(mode, thresholds if name == "queue" else {"high": 0.6},
                          novelty_below=0.2)
        for name, mode in modes.items()
    })


def test_auto_route_needs_every_auto_field_over_its_class_threshold() -> None:
    p = policy(queue=FieldMode.AUTO, priority=FieldMode.AUTO)
    verdict = p.decide({"queue": r("billing", 0.9), "priority": r("high", 0.7)})
    assert verdict.decision is Decision.AUTO_ROUTE and "reached" in verdict.reason
    verdict = p.decide({"queue": r("billing", 0.9), "priority": r("high", 0.5)})
    assert verdict.decision is Decision.HUMAN_REVIEW
    assert verdict.field_decisions == {"queue": FieldDecision.AUTO_ROUTE,
                                       "priority": FieldDecision.HUMAN_REVIEW}
    assert "priority=high 0.50 < 0.60" in verdict.reason
    # A class without a proven threshold never auto-routes, however confident.
    verdict = p.decide({"queue": r("shipping", 0.999), "priority": r("high", 0.9)})
    assert verdict.decision is Decision.HUMAN_REVIEW
    assert "queue=shipping is never auto-routed" in verdict.reason
    assert p.decide({"queue": r("unknown", 0.99), "priority": r("high", 0.9)}).decision \
        is Decision.HUMAN_REVIEW


def test_suggest_never_auto_routes_and_shadow_is_ignored() -> None:
    sure = {"queue": r("billing", 0.99), "priority": r("high", 0.99)}
    suggest_all = policy(queue=FieldMode.SUGGEST, priority=FieldMode.SUGGEST)
    verdict = suggest_all.decide(sure)
    assert verdict.decision is Decision.HUMAN_REVIEW
    assert set(verdict.field_decisions.values()) == {FieldDecision.SUGGEST}
    mixed = policy(queue=FieldMode.AUTO, priority=FieldMode.SUGGEST)
    assert mixed.decide(sure).field_decisions["priority"] is FieldDecision.SUGGEST
    shadow = policy(queue=FieldMode.AUTO, priority=FieldMode.SHADOW)
    # A shadow field under its threshold, even novel, changes nothing.
    verdict = shadow.decide({"queue": r("billing", 0.9), "priority": r("low", 0.01)})
    assert verdict.decision is Decision.AUTO_ROUTE
    assert verdict.field_decisions["priority"] is FieldDecision.SHADOW


def test_off_fields_are_neither_predicted_nor_decided() -> None:
    p = policy(queue=FieldMode.AUTO, priority=FieldMode.OFF)
    assert p.predicted_fields() == ["queue"]
    verdict = p.decide({"queue": r("billing", 0.9), "priority": r("high", 0.01)})
    assert verdict.decision is Decision.AUTO_ROUTE and "priority" not in verdict.field_decisions


def test_novel_and_rule_escalation() -> None:
    p = policy(queue=FieldMode.AUTO, priority=FieldMode.SUGGEST)
    verdict = p.decide({"queue": r("billing", 0.9), "priority": r("high", 0.1)})
    assert verdict.decision is Decision.ESCALATE
    assert verdict.reason == "novel: priority confidence 0.10 < 0.20"

    def urgent(context: TicketContext, results: Mapping[str, FieldResult]) -> str | None:
        return "urgent words" if "URGENT" in context.subject else None

    ruled = DecisionPolicy(p.fields, rules=(urgent,))
    sure = {"queue": r("billing", 0.9), "priority": r("high", 0.9)}
    assert ruled.decide(sure, TicketContext("URGENT: down", "x")).reason == "rule: urgent words"
    assert ruled.decide(sure, TicketContext("hello", "x")).decision is Decision.AUTO_ROUTE


def test_policy_from_model_info(demo_model: TriageModel) -> None:
    modes = {f: FieldMode.AUTO for f in demo_model.fields}
    built = policy_from_model_info(demo_model.info, modes, fallback_threshold=lambda f: 0.8,
                                   overrides={"type": 0.5}, fallback_novelty=0.2,
                                   novelty_quantile=0.05)
    queue = built.fields["queue"]
    assert dict(queue.thresholds) == demo_model.info["thresholds"]["queue"]["classes"]
    assert queue.novelty_below == demo_model.info["confidence_quantiles"]["queue"][5]
    assert built.fields["type"].threshold("anything") == 0.5  # explicit override
    old = policy_from_model_info({"fields": ["queue"]}, {}, fallback_threshold=lambda f: 0.8,
                                 overrides={}, fallback_novelty=0.2, novelty_quantile=0.05)
    assert old.fields["queue"].threshold("x") == 0.8 and old.fields["queue"].novelty_below == 0.2
    unproven = policy_from_model_info({"fields": ["queue"], "guarantee": {}}, {},
                                      fallback_threshold=lambda f: 0.8, overrides={},
                                      fallback_novelty=0.2, novelty_quantile=0.05)
    assert unproven.fields["queue"].threshold("x") is None


@pytest.fixture
def permissive(migrated: Settings, stored_model: TriageModel) -> Iterator[Runtime]:
    """Thresholds overridden low so that demo tickets auto-route and modes show their effect."""
    settings = migrated.model_copy(update={"thresholds": {f: 0.01 for f in stored_model.fields},
                                           "novelty_quantile": 0.0})
    runtime = Runtime(settings)
    runtime.load_champion()
    yield runtime
    runtime.close()


@pytest.fixture
def admin(permissive: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(permissive.settings, runtime=permissive, background=False)) as c:
        yield c


def _classify(client: TestClient) -> dict[str, object]:
    response = client.post("/api/v1/classify",
                           json={"subject": "Charged twice", "body": "My card was charged twice"})
    assert response.status_code == 200, response.text
    return response.json()


def test_admin_sets_modes_and_classification_follows(admin: TestClient) -> None:
    listed = admin.get("/api/v1/admin/fields").json()
    assert [f["mode"] for f in listed["fields"]] == ["auto", "auto", "auto"]
    assert listed["modes"] == ["auto", "suggest", "shadow", "off"]
    assert _classify(admin)["decision"] == "auto_route"

    response = admin.put("/api/v1/admin/fields/type", json={"mode": "off"},
                         headers={"X-User": "ada"})
    assert response.status_code == 200
    assert response.json()["updated_by"] == "ada" and response.json()["source"] == "admin"
    admin.put("/api/v1/admin/fields/priority", json={"mode": "shadow"})
    body = _classify(admin)
    assert set(body["predictions"]) == {"queue", "priority"}  # type is off: not predicted
    assert body["predictions"]["priority"]["decision"] == "shadow"
    assert body["decision"] == "auto_route"

    admin.put("/api/v1/admin/fields/queue", json={"mode": "suggest"})
    body = _classify(admin)
    assert body["decision"] == "human_review"  # no auto field left: suggest never auto-routes
    assert body["predictions"]["queue"]["decision"] == "suggest"
    assert body["decision_reason"] == "no field is in auto mode"


def test_admin_api_rejects_unknown_fields_and_modes(admin: TestClient) -> None:
    missing = admin.put("/api/v1/admin/fields/colour", json={"mode": "auto"})
    assert missing.status_code == 404 and "colour" in missing.json()["detail"]
    bad = admin.put("/api/v1/admin/fields/queue", json={"mode": "sometimes"})
    assert bad.status_code == 422 and "suggest" in bad.json()["detail"]
    assert admin.put("/api/v1/admin/fields/queue", json={}).status_code == 422
    assert admin.put("/api/v1/admin/fields/queue", json={"mode": "auto", "x": 1}).status_code \
        == 422
    assert all(f["source"] == "setting" for f in admin.get("/api/v1/admin/fields").json()["fields"])


def test_stored_tickets_record_modes_and_reason(
    permissive: Runtime, admin: TestClient
) -> None:
    from autotriage.worker.loop import Worker

    admin.put("/api/v1/admin/fields/type", json={"mode": "off"})
    admin.put("/api/v1/admin/fields/priority", json={"mode": "shadow"})
    ticket_id = admin.post("/api/v1/tickets", json={"subject": "Refund", "body": "Refund my order"}
                           ).json()["id"]
    Worker(permissive.sessions, permissive.queue, permissive.models, permissive.policy,
           name="t", batch_size=10).run_once(block_seconds=0)
    ticket = admin.get(f"/api/v1/tickets/{ticket_id}").json()
    assert set(ticket["predictions"]) == {"queue", "priority"}
    assert ticket["predictions"]["priority"]["decision"] == "shadow"
    assert ticket["status"] == "auto_routed" and ticket["decision_reason"]


def test_other_processes_see_a_mode_change_within_the_ttl(
    permissive: Runtime, admin: TestClient
) -> None:
    other = Runtime(permissive.settings.model_copy(update={"field_modes_ttl_seconds": 0.2}))
    try:
        other.models.swap(permissive.models.model)
        assert other.policy().mode("queue") is FieldMode.AUTO
        admin.put("/api/v1/admin/fields/queue", json={"mode": "suggest"})
        wait_for(lambda: other.policy().mode("queue") is FieldMode.SUGGEST, timeout=5)
    finally:
        other.close()


def test_registered_rules_reach_the_runtime_policy(permissive: Runtime) -> None:
    def always(context: TicketContext, results: Mapping[str, FieldResult]) -> str | None:
        return "always"

    register_escalation_rule(always)
    try:
        assert always in permissive.policy().rules
    finally:
        unregister_escalation_rule(always)
    assert always not in permissive.policy().rules


def test_field_modes_default_from_settings(migrated: Settings, stored_model: TriageModel) -> None:
    runtime = Runtime(migrated.model_copy(update={"field_modes": {"type": "shadow"}}))
    try:
        runtime.load_champion()
        assert runtime.policy().mode("type") is FieldMode.SHADOW
        assert runtime.policy().mode("queue") is FieldMode.AUTO
    finally:
        runtime.close()
