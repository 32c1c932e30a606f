"""Signals (urgency, sentiment, SLA) and routing rules, applied after the decision policy.

For every ticket the worker classifies: estimate the signals, evaluate the active rules on the
predictions plus signals, make the decision more careful where a rule says so, and return what
to store with the prediction (the rules that fired, the signals, the assignment).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from autotriage.config import Settings
from autotriage.domain.decision import Decision, DecisionPolicy
from autotriage.domain.language import detect_language
from autotriage.domain.rule_eval import RoutingOutcome, TicketFacts, evaluate
from autotriage.domain.rulebook import ActiveRules, RuleBook
from autotriage.domain.rules import RuleSet
from autotriage.domain.sentiment import Sentiment, analyse
from autotriage.domain.triage import Triage, triage_texts
from autotriage.ml.model import TriageModel, ticket_text
from autotriage.ml.sla import SlaEstimate, SlaModel
from autotriage.ml.urgency import Urgency, UrgencyModel

URGENCY_DIR = "urgency"
SLA_DIR = "sla"


class TicketLike(Protocol):
    subject: str
    body: str
    sender: str | None
    channel: str | None
    created_at: datetime


@dataclasses.dataclass(frozen=True)
class Signals:
    sentiment: Sentiment
    urgency: Urgency | None
    sla: SlaEstimate | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "sentiment": {"label": self.sentiment.label, "score": self.sentiment.score,
                          "words": [w for w, _v in self.sentiment.hits][:10]},
            "urgency": None if self.urgency is None else {
                "level": self.urgency.level, "confidence": self.urgency.confidence,
                "cues": self.urgency.evidence[:10]},
            "sla": None if self.sla is None else self.sla.as_dict(),
        }


@dataclasses.dataclass(frozen=True)
class Routed:
    triage: Triage
    signals: Signals
    outcome: RoutingOutcome
    rules_version: int

    def columns(self) -> dict[str, Any]:
        """The prediction's columns of this feature (see storage/tables.py Prediction)."""
        return {
            "rules_fired": [check.record() for check in self.outcome.fired],
            "signals": {**self.signals.as_dict(), "rules_version": self.rules_version},
            "urgency": self.signals.urgency.level if self.signals.urgency else None,
            "sentiment": self.signals.sentiment.label,
            "sla_breach_risk": self.signals.sla.breach_risk if self.signals.sla else None,
            "assigned_team": self.outcome.team,
            "assigned_group": self.outcome.group,
        }


class Routing:
    def __init__(self, rulebook: RuleBook, *, urgency: UrgencyModel | None,
                 sla: SlaModel | None, sla_targets: Mapping[str, float],
                 priority_field: str) -> None:
        self.rulebook = rulebook
        self.urgency = urgency
        self.sla = sla
        self.sla_targets = {k.lower(): v for k, v in sla_targets.items()}
        self.priority_field = priority_field

    def signals(self, tickets: Sequence[TicketLike], predicted: Sequence[Mapping[str, str]],
                ) -> list[Signals]:
        texts = [f"{t.subject}\n{t.body}" for t in tickets]
        urgencies: Sequence[Urgency | None] = (
            self.urgency.predict(texts) if self.urgency else [None] * len(texts))
        estimates: Sequence[SlaEstimate | None] = [None] * len(texts)
        if self.sla is not None:
            rows = [{**labels, "channel": t.channel} for t, labels in zip(tickets, predicted,
                                                                           strict=True)]
            targets = [self.sla_targets.get(str(labels.get(self.priority_field, "")).lower())
                       for labels in predicted]
            estimates = self.sla.estimate(rows, [_aware(t.created_at) for t in tickets], targets)
        return [Signals(analyse(text), u, s)
                for text, u, s in zip(texts, urgencies, estimates, strict=True)]

    def route(self, session: Session, tickets: Sequence[TicketLike], triages: Sequence[Triage],
              languages: Sequence[str | None]) -> list[Routed]:
        active = self.rulebook.current(session)
        predicted = [{n: r.label for n, r in t.fields.items()} for t in triages]
        signals = self.signals(tickets, predicted)
        return [self._route_one(active, ticket, triage, labels, signal, language)
                for ticket, triage, labels, signal, language
                in zip(tickets, triages, predicted, signals, languages, strict=True)]

    def explain(self, ruleset: RuleSet, ticket: TicketLike, labels: Mapping[str, str],
                confidence: Mapping[str, float], language: str | None,
                overrides: Mapping[str, Any]) -> tuple[Signals, RoutingOutcome]:
        """Dry run: the signals of one ticket and every rule's verdict on it; `overrides`
        replace estimated facts (urgency, sentiment, sla_breach_risk, received_at)."""
        signal = self.signals([ticket], [labels])[0]
        facts = facts_for(ticket, labels, confidence, signal, language)
        facts = dataclasses.replace(facts, **{k: v for k, v in overrides.items() if v is not None})
        return signal, evaluate(ruleset, facts)

    def _route_one(self, active: ActiveRules, ticket: TicketLike, triage: Triage,
                   labels: Mapping[str, str], signal: Signals, language: str | None) -> Routed:
        confidence = {n: r.confidence for n, r in triage.fields.items()}
        facts = facts_for(ticket, labels, confidence, signal, language)
        outcome = evaluate(active.ruleset, facts)
        decision = outcome.apply(triage.decision)
        if decision != triage.decision:
            names = ", ".join(c.name for c in outcome.fired
                              if c.actions.get("escalate") or c.actions.get("review"))
            reason = f"rules: {names} (policy said {triage.decision.value}: {triage.reason})"
            triage = dataclasses.replace(triage, decision=decision, reason=reason)
        return Routed(triage, signal, outcome, active.version)


@dataclasses.dataclass(frozen=True)
class DryRun:
    predicted: dict[str, str]
    policy_decision: Decision | None
    decision: Decision | None
    signals: Signals
    outcome: RoutingOutcome


def dry_run(routing: Routing, ruleset: RuleSet, ticket: TicketLike, *,
            model: TriageModel | None, policy: DecisionPolicy | None,
            predicted: Mapping[str, str] | None, overrides: Mapping[str, Any]) -> DryRun:
    """Which rules fire for one ticket and why; the live model predicts unless `predicted`
    is given. Nothing is stored."""
    labels, confidence, before = dict(predicted or {}), {}, None
    if predicted is None and model is not None and policy is not None:
        [triage] = triage_texts(model, policy, [ticket_text(ticket.subject, ticket.body)])
        labels = {n: r.label for n, r in triage.fields.items()}
        confidence = {n: r.confidence for n, r in triage.fields.items()}
        before = triage.decision
    language = detect_language(f"{ticket.subject}\n{ticket.body}")
    signals, outcome = routing.explain(ruleset, ticket, labels, confidence, language, overrides)
    return DryRun(labels, before, outcome.apply(before) if before else None, signals, outcome)


def facts_for(ticket: TicketLike, labels: Mapping[str, str], confidence: Mapping[str, float],
              signal: Signals, language: str | None) -> TicketFacts:
    return TicketFacts(
        subject=ticket.subject, body=ticket.body, received_at=_aware(ticket.created_at),
        sender=ticket.sender, channel=ticket.channel, language=language, predicted=labels,
        confidence=confidence,
        urgency=signal.urgency.level if signal.urgency else None,
        sentiment=signal.sentiment.label,
        sla_breach_risk=signal.sla.breach_risk if signal.sla else None,
    )


def _aware(when: datetime) -> datetime:
    # SQLite hands back stored UTC times without their zone.
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def load_routing(settings: Settings) -> Routing:
    """Rules from the database (seeded by the rules file); the urgency and SLA models when they
    were trained into the model folder (`autotriage urgency train`, `autotriage sla train`)."""
    models = settings.resolved_model_dir
    return Routing(
        RuleBook(settings.rules_file, settings.rules_refresh_seconds),
        urgency=UrgencyModel.load(models / URGENCY_DIR),
        sla=SlaModel.load(models / SLA_DIR),
        sla_targets=settings.sla_target_hours,
        priority_field=settings.sla_priority_field,
    )
