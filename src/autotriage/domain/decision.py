"""Decision policy v2: per-field modes, per-class guaranteed thresholds, escalation.

Per ticket, in this order:
1. ESCALATE when an escalation rule names a reason (urgent tickets; the routing-rules issue
   registers rules), or when the ticket looks novel: the top confidence of an `auto` or
   `suggest` field is under that field's novelty level (a low quantile of the confidences the
   model gave its own calibration data: what the model has never seen scores lower than that).
2. AUTO_ROUTE when there is at least one `auto` field and every `auto` field's confidence
   reaches the threshold of its predicted class (thresholds come with the model and carry a
   precision guarantee; a class without one is never auto-routed).
3. HUMAN_REVIEW otherwise, with the top-3 of every predicted field as suggestions.

Modes: `auto` fields decide; `suggest` fields are predicted for the reviewer but never make a
ticket auto-route; `shadow` fields are predicted and stored only; `off` fields are not predicted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from autotriage.ml.model import FieldResult


class Decision(StrEnum):
    AUTO_ROUTE = "auto_route"
    HUMAN_REVIEW = "human_review"
    ESCALATE = "escalate"


class FieldMode(StrEnum):
    AUTO = "auto"
    SUGGEST = "suggest"
    SHADOW = "shadow"
    OFF = "off"


class FieldDecision(StrEnum):
    """What the policy made of one field's prediction."""

    AUTO_ROUTE = "auto_route"  # `auto` field over its class threshold
    HUMAN_REVIEW = "human_review"  # `auto` field under its threshold
    SUGGEST = "suggest"  # `suggest` field: a pre-filled value for the reviewer
    SHADOW = "shadow"  # `shadow` field: logged, no effect
    NOVEL = "novel"  # under the field's novelty level: the reason the ticket escalates


@dataclass(frozen=True)
class TicketContext:
    """What escalation rules may look at besides the predictions."""

    subject: str = ""
    body: str = ""
    sender: str | None = None
    channel: str | None = None
    metadata: Mapping[str, Any] | None = None


# A rule returns the reason to escalate, or None.
EscalationRule = Callable[[TicketContext, Mapping[str, FieldResult]], str | None]
_RULES: list[EscalationRule] = []


def register_escalation_rule(rule: EscalationRule) -> EscalationRule:
    """Add a rule every policy built afterwards applies (usable as a decorator)."""
    if rule not in _RULES:
        _RULES.append(rule)
    return rule


def unregister_escalation_rule(rule: EscalationRule) -> None:
    if rule in _RULES:
        _RULES.remove(rule)


def escalation_rules() -> tuple[EscalationRule, ...]:
    return tuple(_RULES)


@dataclass(frozen=True)
class FieldPolicy:
    mode: FieldMode = FieldMode.AUTO
    # Per predicted class; None (or a class not listed) means never auto-route that class.
    thresholds: Mapping[str, float | None] = field(default_factory=dict)
    # Used for classes not listed in `thresholds` (models without guaranteed thresholds).
    default_threshold: float | None = None
    # Escalate as novel when the top confidence is under this.
    novelty_below: float = 0.0

    def threshold(self, label: str) -> float | None:
        if label in self.thresholds:
            return self.thresholds[label]
        return self.default_threshold


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    field_decisions: dict[str, FieldDecision]
    reason: str


@dataclass(frozen=True)
class DecisionPolicy:
    fields: Mapping[str, FieldPolicy]
    rules: tuple[EscalationRule, ...] = ()

    def mode(self, name: str) -> FieldMode:
        policy = self.fields.get(name)
        return policy.mode if policy is not None else FieldMode.SHADOW

    def predicted_fields(self) -> list[str]:
        return [name for name, p in self.fields.items() if p.mode is not FieldMode.OFF]

    def decide(
        self, results: Mapping[str, FieldResult], context: TicketContext | None = None
    ) -> Verdict:
        results = {n: r for n, r in results.items() if self.mode(n) is not FieldMode.OFF}
        per_field = {n: self._field_decision(n, r) for n, r in results.items()}
        for rule in self.rules:
            reason = rule(context or TicketContext(), results)
            if reason:
                return Verdict(Decision.ESCALATE, per_field, f"rule: {reason}")
        novel = [n for n, d in per_field.items() if d is FieldDecision.NOVEL]
        if novel:
            detail = ", ".join(
                f"{n} confidence {results[n].confidence:.2f} < {self.fields[n].novelty_below:.2f}"
                for n in novel
            )
            return Verdict(Decision.ESCALATE, per_field, f"novel: {detail}")
        auto = [n for n in per_field if self.mode(n) is FieldMode.AUTO]
        if not auto:
            return Verdict(Decision.HUMAN_REVIEW, per_field, "no field is in auto mode")
        below = [n for n in auto if per_field[n] is not FieldDecision.AUTO_ROUTE]
        if not below:
            return Verdict(Decision.AUTO_ROUTE, per_field,
                           "every auto field reached its threshold: " + ", ".join(auto))
        return Verdict(Decision.HUMAN_REVIEW, per_field,
                       "under threshold: " + ", ".join(self._under(n, results[n]) for n in below))

    def _field_decision(self, name: str, result: FieldResult) -> FieldDecision:
        policy = self.fields.get(name)
        if policy is None or policy.mode is FieldMode.SHADOW:
            return FieldDecision.SHADOW
        if result.confidence < policy.novelty_below:
            return FieldDecision.NOVEL
        if policy.mode is FieldMode.SUGGEST:
            return FieldDecision.SUGGEST
        threshold = policy.threshold(result.label)
        if threshold is not None and result.confidence >= threshold:
            return FieldDecision.AUTO_ROUTE
        return FieldDecision.HUMAN_REVIEW

    def _under(self, name: str, result: FieldResult) -> str:
        threshold = self.fields[name].threshold(result.label)
        if threshold is None:
            return f"{name}={result.label} is never auto-routed"
        return f"{name}={result.label} {result.confidence:.2f} < {threshold:.2f}"


def policy_from_model_info(
    info: Mapping[str, Any],
    modes: Mapping[str, FieldMode],
    *,
    fallback_threshold: Callable[[str], float],
    overrides: Mapping[str, float],
    fallback_novelty: float,
    novelty_quantile: float,
    rules: Sequence[EscalationRule] = (),
) -> DecisionPolicy:
    """Build the policy of a model from what it learnt on its calibration split (`info`).

    A model trained without calibration data (older models) falls back to fixed thresholds;
    an explicit per-field override (settings) replaces the model's thresholds for that field.
    """
    fields: dict[str, FieldPolicy] = {}
    for name in info.get("fields", modes.keys()):
        learnt = info.get("thresholds", {}).get(name)
        quantiles = info.get("confidence_quantiles", {}).get(name)
        if name in overrides:
            thresholds, default = {}, overrides[name]
        elif learnt is not None:
            thresholds, default = dict(learnt["classes"]), None
        elif "guarantee" in info:
            thresholds, default = {}, None  # trained without enough data to prove anything
        else:
            thresholds, default = {}, fallback_threshold(name)
        novelty = (quantiles[min(round(novelty_quantile * 100), len(quantiles) - 1)]
                   if quantiles else fallback_novelty)
        fields[name] = FieldPolicy(modes.get(name, FieldMode.AUTO), thresholds, default, novelty)
    return DecisionPolicy(fields, tuple(rules))


STATUS_FOR_DECISION = {
    Decision.AUTO_ROUTE: "auto_routed",
    Decision.HUMAN_REVIEW: "in_review",
    Decision.ESCALATE: "escalated",
}
