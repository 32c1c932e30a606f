"""Classify tickets with the live model and apply the decision policy."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from autotriage.domain.decision import (
    STATUS_FOR_DECISION,
    Decision,
    DecisionPolicy,
    FieldDecision,
    TicketContext,
)
from autotriage.domain.language import detect_language
from autotriage.ml.model import FieldResult, TriageModel, ticket_text
from autotriage.storage import repository
from autotriage.storage.repository import ClassifiedTicket, FieldOutcome

if TYPE_CHECKING:
    from autotriage.domain.routing import Routing


@dataclass(frozen=True)
class Triage:
    """What the model and the policy say about one text."""

    decision: Decision
    fields: dict[str, FieldResult]
    field_decisions: dict[str, FieldDecision]
    model_version: str
    reason: str = ""


def triage_texts(
    model: TriageModel,
    policy: DecisionPolicy,
    texts: Sequence[str],
    contexts: Sequence[TicketContext] | None = None,
) -> list[Triage]:
    # Fields in `off` mode are not predicted at all.
    wanted = [f for f in policy.predicted_fields() if f in model.fields]
    results = model.predict(texts, k=3, fields=wanted)
    out = []
    for i, fields in enumerate(results):
        verdict = policy.decide(fields, contexts[i] if contexts is not None else None)
        out.append(Triage(verdict.decision, fields, verdict.field_decisions, model.version,
                          verdict.reason))
    return out


def classify_tickets(
    session: Session, model: TriageModel, policy: DecisionPolicy, ticket_ids: Sequence[int],
    routing: Routing | None = None,
    outcomes: list[ClassifiedTicket] | None = None,
) -> int:
    """Classify the still-unclassified tickets among `ticket_ids`; returns how many.

    Idempotent: tickets already classified are skipped, so a message delivered twice changes
    nothing. The caller commits.
    """
    tickets = repository.received_tickets(session, ticket_ids)
    if not tickets:
        return 0
    started = time.perf_counter()
    contexts = [TicketContext(t.subject, t.body, t.sender, t.channel, t.meta) for t in tickets]
    triages = triage_texts(model, policy, [ticket_text(t.subject, t.body) for t in tickets],
                           contexts)
    languages = [detect_language(f"{t.subject}\n{t.body}") for t in tickets]
    # routing rules, urgency, SLA (issue 10): rules may make the decision more careful, and
    # what fired is stored with the prediction.
    routed = routing.route(session, tickets, triages, languages) if routing else None
    triages = [r.triage for r in routed] if routed else triages
    extras = [r.columns() for r in routed] if routed else [{} for _ in tickets]
    # Batched prediction: each ticket's latency is its share of the batch's compute time.
    latency_ms = (time.perf_counter() - started) * 1000 / len(tickets)
    items = [
        ClassifiedTicket(
            ticket_id=ticket.id,
            language=language,
            model_version=triage.model_version,
            decision=triage.decision.value,
            status=STATUS_FOR_DECISION[triage.decision],
            latency_ms=latency_ms,
            reason=triage.reason,
            extra=extra,
            fields=[
                FieldOutcome(
                    field=name,
                    label=result.label,
                    confidence=result.confidence,
                    top=[[label, p] for label, p in result.top],
                    decision=triage.field_decisions[name].value,
                )
                for name, result in triage.fields.items()
            ],
        )
        for ticket, triage, language, extra in zip(tickets, triages, languages, extras,
                                                   strict=True)
    ]
    repository.store_classifications(session, items)
    if outcomes is not None:
        outcomes.extend(items)  # the caller reports them once its commit succeeded
    return len(tickets)
