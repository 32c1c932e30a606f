"""Classify tickets with the live model and apply the decision policy."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from autotriage.domain.decision import STATUS_FOR_DECISION, Decision, DecisionPolicy
from autotriage.domain.language import detect_language
from autotriage.ml.model import FieldResult, TriageModel, ticket_text
from autotriage.storage import repository
from autotriage.storage.repository import ClassifiedTicket, FieldOutcome


@dataclass(frozen=True)
class Triage:
    """What the model and the policy say about one text."""

    decision: Decision
    fields: dict[str, FieldResult]
    field_decisions: dict[str, Decision]
    model_version: str


def triage_texts(
    model: TriageModel, policy: DecisionPolicy, texts: Sequence[str]
) -> list[Triage]:
    results = model.predict(texts, k=3)
    out = []
    for fields in results:
        decision, per_field = policy.decide(fields)
        out.append(Triage(decision, fields, per_field, model.version))
    return out


def classify_tickets(
    session: Session, model: TriageModel, policy: DecisionPolicy, ticket_ids: Sequence[int]
) -> int:
    """Classify the still-unclassified tickets among `ticket_ids`; returns how many.

    Idempotent: tickets already classified are skipped, so a message delivered twice changes
    nothing. The caller commits.
    """
    tickets = repository.received_tickets(session, ticket_ids)
    if not tickets:
        return 0
    started = time.perf_counter()
    triages = triage_texts(model, policy, [ticket_text(t.subject, t.body) for t in tickets])
    languages = [detect_language(f"{t.subject}\n{t.body}") for t in tickets]
    # Batched prediction: each ticket's latency is its share of the batch's compute time.
    latency_ms = (time.perf_counter() - started) * 1000 / len(tickets)
    repository.store_classifications(
        session,
        [
            ClassifiedTicket(
                ticket_id=ticket.id,
                language=language,
                model_version=triage.model_version,
                decision=triage.decision.value,
                status=STATUS_FOR_DECISION[triage.decision],
                latency_ms=latency_ms,
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
            for ticket, triage, language in zip(tickets, triages, languages, strict=True)
        ],
    )
    return len(tickets)
