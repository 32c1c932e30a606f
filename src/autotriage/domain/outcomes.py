"""Feedback and resolutions as labels, and the live outcome figures of suggestions.

Feedback is an agent correcting a field of an auto-routed (or reviewed) ticket; a resolution is
the final field values a helpdesk reports when the ticket closes. Both are labels with
provenance, and both measure how often auto-routing was right (realized precision).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from autotriage.domain.review import Actor, check_labels
from autotriage.errors import Conflict, InvalidInput, NotFound
from autotriage.ml.model import TriageModel
from autotriage.storage import repository
from autotriage.storage import review_repository as repo
from autotriage.storage.tables import LabelSource, TicketStatus

FEEDBACK_STATUSES = (TicketStatus.AUTO_ROUTED, TicketStatus.REVIEWED)


def record_feedback(session: Session, model: TriageModel, actor: Actor, ticket_id: int,
                    labels: dict[str, str], note: str | None) -> dict[str, str]:
    if not labels:
        raise InvalidInput("`labels` is empty; send the corrected fields, e.g. "
                           "{\"queue\": \"billing\"}")
    check_labels(session, model, labels)
    ticket = repository.get_ticket(session, ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket with id {ticket_id}")
    if ticket.status not in FEEDBACK_STATUSES:
        raise Conflict(f"ticket {ticket_id} is {ticket.status}; feedback corrects auto-routed or "
                       "reviewed tickets (a ticket in review gets a review verdict)")
    repo.add_labels(session, ticket_id, labels, source=LabelSource.FEEDBACK, actor=actor.name,
                    now=actor.now)
    repo.audit(session, ticket_id=ticket_id, actor=actor.name, action="ticket.feedback",
               details={"labels": labels, "note": note}, now=actor.now)
    return labels


def record_resolution(session: Session, model: TriageModel, actor: Actor, ticket_id: int,
                      labels: dict[str, str]) -> bool:
    """Store the final values; returns False when they repeat the latest resolution (a helpdesk
    delivering the same close event twice writes nothing new)."""
    if not labels:
        raise InvalidInput("`labels` is empty; send the final field values of the ticket")
    check_labels(session, model, labels)
    if repository.get_ticket(session, ticket_id) is None:
        raise NotFound(f"no ticket with id {ticket_id}")
    latest = {lb.field: lb.value
              for lb in repo.valid_labels(session, ticket_id, source=LabelSource.RESOLUTION)}
    if all(latest.get(name) == value for name, value in labels.items()):
        return False
    repo.add_labels(session, ticket_id, labels, source=LabelSource.RESOLUTION, actor=actor.name,
                    now=actor.now)
    repo.audit(session, ticket_id=ticket_id, actor=actor.name, action="ticket.resolution",
               details={"labels": labels}, now=actor.now)
    return True


@dataclass
class ClassOutcome:
    predicted: int = 0  # tickets whose current prediction has this label
    auto_routed: int = 0  # ... of which the field was auto-routed
    reviewed: int = 0  # review verdicts on a suggestion of this label
    accepted: int = 0
    outcomes: int = 0  # auto-routed with a feedback or resolution label
    outcomes_correct: int = 0

    def figures(self) -> dict[str, Any]:
        return {
            "predicted": self.predicted,
            "auto_routed": self.auto_routed,
            "coverage": _rate(self.auto_routed, self.predicted),
            "reviewed": self.reviewed,
            "accepted": self.accepted,
            "overridden": self.reviewed - self.accepted,
            "acceptance_rate": _rate(self.accepted, self.reviewed),
            "override_rate": _rate(self.reviewed - self.accepted, self.reviewed),
            "auto_routed_with_outcome": self.outcomes,
            "auto_routed_correct": self.outcomes_correct,
            "realized_precision": _rate(self.outcomes_correct, self.outcomes),
        }


@dataclass
class FieldOutcomes:
    total: ClassOutcome = field(default_factory=ClassOutcome)
    classes: dict[str, ClassOutcome] = field(default_factory=lambda: defaultdict(ClassOutcome))


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def outcome_figures(session: Session) -> dict[str, Any]:
    """Per field and predicted class: coverage of auto-routing, acceptance and override of
    suggestions in review, realized precision of auto-routing (feedback and resolutions)."""
    per_field: dict[str, FieldOutcomes] = defaultdict(FieldOutcomes)

    def both(name: str, label: str) -> tuple[ClassOutcome, ClassOutcome]:
        return per_field[name].total, per_field[name].classes[label]

    for name, label, decision, n in repo.prediction_coverage(session):
        for bucket in both(name, label):
            bucket.predicted += int(n)
            bucket.auto_routed += int(n) if decision == "auto_route" else 0
    for name, label, _decision, n, agree in repo.suggestion_outcomes(session,
                                                                     repo.REVIEW_SOURCES):
        for bucket in both(name, label):
            bucket.reviewed += int(n)
            bucket.accepted += int(agree or 0)
    for name, label, decision, n, agree in repo.suggestion_outcomes(session,
                                                                    repo.OUTCOME_SOURCES):
        if decision == "auto_route":
            for bucket in both(name, label):
                bucket.outcomes += int(n)
                bucket.outcomes_correct += int(agree or 0)
    return {
        "fields": {
            name: {
                **outcomes.total.figures(),
                "classes": {label: c.figures() for label, c in sorted(outcomes.classes.items())},
            }
            for name, outcomes in sorted(per_field.items())
        },
        "verdicts": repo.verdict_action_counts(session),
    }
