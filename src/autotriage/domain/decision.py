"""Decision policy v1: per-field confidence thresholds -> auto-route, human review or escalate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from autotriage.ml.model import FieldResult


class Decision(StrEnum):
    AUTO_ROUTE = "auto_route"
    HUMAN_REVIEW = "human_review"
    ESCALATE = "escalate"


@dataclass(frozen=True)
class DecisionPolicy:
    """A field auto-routes when its confidence reaches its threshold; a ticket auto-routes when
    every field does, and is escalated as unknown when any field's top confidence is under
    `escalate_below` (the model has no idea what it is)."""

    thresholds: Mapping[str, float]
    escalate_below: float

    def field_decision(self, field: str, result: FieldResult) -> Decision:
        if result.confidence < self.escalate_below:
            return Decision.ESCALATE
        if result.confidence >= self.thresholds[field]:
            return Decision.AUTO_ROUTE
        return Decision.HUMAN_REVIEW

    def decide(self, results: Mapping[str, FieldResult]) -> tuple[Decision, dict[str, Decision]]:
        per_field = {field: self.field_decision(field, r) for field, r in results.items()}
        decisions = set(per_field.values())
        if Decision.ESCALATE in decisions:
            return Decision.ESCALATE, per_field
        if decisions == {Decision.AUTO_ROUTE}:
            return Decision.AUTO_ROUTE, per_field
        return Decision.HUMAN_REVIEW, per_field


STATUS_FOR_DECISION = {
    Decision.AUTO_ROUTE: "auto_routed",
    Decision.HUMAN_REVIEW: "in_review",
    Decision.ESCALATE: "escalated",
}
