"""Request and response bodies of the review, feedback and label-quality API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from autotriage.api.schemas import TicketOut

Action = Literal["accept", "correct", "out_of_scope", "spam", "escalate"]
Order = Literal["informative", "oldest", "priority"]
QueueStatus = Literal["in_review", "escalated"]
LabelMap = dict[str, str]


class VerdictIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Action = Field(description="accept the suggestion; correct some fields (`labels`); "
                           "reject as out_of_scope or spam; escalate.")
    labels: LabelMap = Field(default_factory=dict, description="For `correct`: field -> label, "
                             "each from the field's label set (GET /review/label-sets). Fields "
                             "left out keep the suggestion.")
    note: str | None = Field(default=None, max_length=2000)


class BulkVerdictIn(VerdictIn):
    ticket_ids: list[int] = Field(min_length=1, description="All get the same verdict; if one "
                                  "cannot take it, none does.")


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ticket_ids: list[int] | None = Field(default=None, min_length=1,
                                         description="Claim these; or leave out and give `count`.")
    count: int = Field(default=1, ge=1, description="How many to take from the top of the queue.")
    order: Order = "informative"
    status: QueueStatus | None = Field(default=None, description="Only in_review or only "
                                       "escalated tickets; both when left out.")


class TicketIdsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ticket_ids: list[int] = Field(min_length=1)


class RequeueIn(TicketIdsIn):
    reason: str = Field(default="label-error candidate", max_length=500)


class CountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(default=1, ge=1)


class QueueItemOut(BaseModel):
    ticket: TicketOut
    uncertainty: float = Field(description="1 - margin between the top two labels of the "
                               "ticket's least certain field.")
    lease_owner: str | None
    lease_until: datetime | None


class QueueOut(BaseModel):
    items: list[QueueItemOut]
    total: int = Field(description="Reviewable tickets not claimed by someone else.")
    order: Order


class ClaimOut(BaseModel):
    claimed: list[int]
    unavailable: list[int] = Field(description="Requested ids claimed by someone else, "
                                   "finished or unknown.")
    lease_until: datetime
    tickets: list[TicketOut]


class ReleaseOut(BaseModel):
    released: list[int]


class VerdictOut(BaseModel):
    id: int
    ticket_id: int
    reviewer: str
    action: str
    round: str
    labels: LabelMap
    from_status: str
    to_status: str
    created_at: datetime
    undone_at: datetime | None


class VerdictsOut(BaseModel):
    verdicts: list[VerdictOut]


class DoubleReviewOut(BaseModel):
    id: int
    ticket: TicketOut
    status: str
    first_reviewer: str
    second_reviewer: str | None
    first_labels: LabelMap | None = Field(description="Hidden while pending (blind review).")
    second_labels: LabelMap | None
    created_at: datetime


class DoubleReviewsOut(BaseModel):
    items: list[DoubleReviewOut]


class LabelsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    labels: LabelMap = Field(min_length=1, description="field -> label from its label set.")
    note: str | None = Field(default=None, max_length=2000)


class LabelsWritten(BaseModel):
    ticket_id: int
    source: str
    labels: LabelMap
    written: bool = Field(description="False when the same resolution was already stored.")


class AuditOut(BaseModel):
    id: int
    ticket_id: int | None
    actor: str
    action: str
    details: dict[str, Any]
    created_at: datetime


class AuditPage(BaseModel):
    items: list[AuditOut]


class RateFigures(BaseModel):
    predicted: int
    auto_routed: int
    coverage: float | None = Field(description="auto_routed / predicted")
    reviewed: int
    accepted: int
    overridden: int
    acceptance_rate: float | None
    override_rate: float | None
    auto_routed_with_outcome: int
    auto_routed_correct: int
    realized_precision: float | None = Field(description="Among auto-routed tickets with a "
                                             "feedback or resolution label: share correct.")


class FieldFigures(RateFigures):
    classes: dict[str, RateFigures]


class OutcomesOut(BaseModel):
    fields: dict[str, FieldFigures]
    verdicts: dict[str, int] = Field(description="First-round verdicts per action, undone ones "
                                     "excluded.")


class KappaOut(BaseModel):
    n: int
    observed_agreement: float | None
    kappa: float | None = Field(description="Cohen's kappa; null when undefined (one label).")


class AgreementOut(BaseModel):
    overall: dict[str, KappaOut]
    reviewers: dict[str, dict[str, KappaOut]]


class LabelIssueOut(BaseModel):
    ticket_id: int
    given: str
    source: str
    suggested: str
    self_confidence: float
    suggested_confidence: float


class LabelIssuesOut(BaseModel):
    field: str
    scored: int
    total_candidates: int
    candidates: list[LabelIssueOut]
