"""Which rules fire for a ticket, and why; and what they do to the decision.

Rules only ever make a decision more careful: a guardrail or `review: true` turns an auto-route
into human review, `escalate: true` escalates. The first rule that names a team (or group) assigns
it, so rule order is priority order, as admins read the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from autotriage.domain.decision import Decision
from autotriage.domain.rules import BusinessHours, Keywords, Rule, RuleSet
from autotriage.domain.sentiment import fold


@dataclass(frozen=True)
class TicketFacts:
    """Everything a rule may look at."""

    subject: str
    body: str
    received_at: datetime
    sender: str | None = None
    channel: str | None = None
    language: str | None = None
    predicted: Mapping[str, str] = field(default_factory=dict)
    confidence: Mapping[str, float] = field(default_factory=dict)
    urgency: str | None = None
    sentiment: str | None = None
    sla_breach_risk: bool | None = None

    @property
    def sender_domain(self) -> str | None:
        if not self.sender or "@" not in self.sender:
            return None
        return self.sender.rsplit("@", 1)[1].strip().strip(">").lower() or None


@dataclass(frozen=True)
class RuleCheck:
    name: str
    kind: str  # "guardrail" | "rule"
    fired: bool
    # For a rule that fired: every condition and why it held. Otherwise: the first that failed.
    why: list[str]
    actions: dict[str, Any]

    def record(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "why": self.why, "actions": self.actions}


@dataclass(frozen=True)
class RoutingOutcome:
    checks: list[RuleCheck]
    team: str | None
    group: str | None
    escalate: bool
    review: bool

    @property
    def fired(self) -> list[RuleCheck]:
        return [c for c in self.checks if c.fired]

    def apply(self, decision: Decision) -> Decision:
        if self.escalate:
            return Decision.ESCALATE
        if self.review and decision == Decision.AUTO_ROUTE:
            return Decision.HUMAN_REVIEW
        return decision


def evaluate(ruleset: RuleSet, facts: TicketFacts) -> RoutingOutcome:
    text = fold(f"{facts.subject}\n{facts.body}")
    checks = [_check(rule, ruleset, facts, text) for rule in (*ruleset.guardrails, *ruleset.rules)]
    team = group = None
    escalate = review = False
    for check in checks:
        if not check.fired:
            continue
        team = team or check.actions.get("team")
        group = group or check.actions.get("group")
        escalate = escalate or bool(check.actions.get("escalate"))
        review = review or bool(check.actions.get("review"))
    return RoutingOutcome(checks, team, group, escalate, review)


def _check(rule: Rule, ruleset: RuleSet, facts: TicketFacts, text: str) -> RuleCheck:
    kind = "guardrail" if rule.guardrail else "rule"
    reasons: list[str] = []
    for condition, expected in rule.when.items():
        held, why = _condition(condition, expected, ruleset, facts, text)
        if not held:
            return RuleCheck(rule.name, kind, False, [why], rule.then)
        reasons.append(why)
    return RuleCheck(rule.name, kind, True, reasons or ["no conditions: applies to every ticket"],
                     rule.then)


def _condition(name: str, expected: Any, ruleset: RuleSet, facts: TicketFacts, text: str
               ) -> tuple[bool, str]:
    if name == "predicted":
        return _predicted(expected, facts)
    if name == "confidence_below":
        for field_name, limit in expected.items():
            value = facts.confidence.get(field_name)
            if value is None or value >= limit:
                return False, f"{field_name} confidence {value} is not below {limit}"
        return True, "confidence below " + ", ".join(f"{f} {v}" for f, v in expected.items())
    if name == "keywords":
        return _keywords(expected, text)
    if name == "business_hours":
        inside = _in_business_hours(ruleset, facts.received_at)
        where = "inside" if inside else "outside"
        return inside == expected, f"received {where} business hours"
    if name == "sla_breach_risk":
        return (facts.sla_breach_risk is expected,
                f"SLA breach risk is {facts.sla_breach_risk} (wanted {expected})")
    actual = facts.sender_domain if name == "sender_domain" else getattr(facts, name)
    if name == "sender_domain":
        held = actual is not None and any(actual == d or actual.endswith("." + d)
                                          for d in expected)
    else:
        held = actual is not None and str(actual).lower() in expected
    return held, f"{name} is {actual!r}" + ("" if held else f", not one of {sorted(expected)}")


def _predicted(expected: Mapping[str, set[str]], facts: TicketFacts) -> tuple[bool, str]:
    parts = []
    for field_name, labels in expected.items():
        label = facts.predicted.get(field_name)
        if label not in labels:
            return False, f"predicted {field_name} is {label!r}, not one of {sorted(labels)}"
        parts.append(f"predicted {field_name} is {label!r}")
    return True, ", ".join(parts)


def _keywords(keywords: Keywords, text: str) -> tuple[bool, str]:
    found = keywords.found(text)
    if found:
        return True, "text contains " + ", ".join(repr(w) for w in found)
    return False, "no keyword in text"


def _in_business_hours(ruleset: RuleSet, when: datetime) -> bool:
    hours: BusinessHours | None = ruleset.business_hours
    if hours is None:
        return True
    if when.tzinfo is None:  # SQLite returns stored UTC times without their zone
        when = when.replace(tzinfo=UTC)
    local = when.astimezone(ruleset.timezone)
    return local.weekday() in hours.days and hours.start <= local.time() < hours.end

