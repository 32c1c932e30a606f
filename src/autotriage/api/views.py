"""Turn stored rows and triage results into API response bodies."""

from __future__ import annotations

from autotriage.api.schemas import FieldPredictionOut, LabelOut, Suggestion, TicketDetail, TicketOut
from autotriage.domain.triage import Triage
from autotriage.storage.tables import Label, Ticket


def ticket_out(ticket: Ticket) -> TicketOut:
    prediction = ticket.prediction
    return TicketOut(
        id=ticket.id,
        external_id=ticket.external_id,
        subject=ticket.subject,
        body=ticket.body,
        sender=ticket.sender,
        channel=ticket.channel,
        language=ticket.language,
        metadata=ticket.meta,
        status=ticket.status,
        decision=ticket.decision,
        decision_reason=prediction.reason if prediction else None,
        # routing rules, urgency, SLA (issue 10)
        rules_fired=(prediction.rules_fired or []) if prediction else [],
        signals=prediction.signals if prediction else None,
        assigned_team=prediction.assigned_team if prediction else None,
        assigned_group=prediction.assigned_group if prediction else None,
        model_version=prediction.model_version if prediction else None,
        latency_ms=prediction.latency_ms if prediction else None,
        predictions={
            fp.field: FieldPredictionOut(
                label=fp.label,
                confidence=fp.confidence,
                top=[Suggestion(label=str(label), confidence=float(p)) for label, p in fp.top],
                decision=fp.decision,
            )
            for fp in (prediction.fields if prediction else [])
        },
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        classified_at=ticket.classified_at,
    )


def ticket_detail(ticket: Ticket, labels: list[Label]) -> TicketDetail:
    return TicketDetail(
        **ticket_out(ticket).model_dump(),
        labels=[
            LabelOut(field=lb.field, value=lb.value, source=lb.source, actor=lb.actor,
                     created_at=lb.created_at)
            for lb in labels
        ],
    )


def triage_predictions(triage: Triage) -> dict[str, FieldPredictionOut]:
    return {
        name: FieldPredictionOut(
            label=result.label,
            confidence=result.confidence,
            top=[Suggestion(label=label, confidence=p) for label, p in result.top],
            decision=triage.field_decisions[name].value,
        )
        for name, result in triage.fields.items()
    }
