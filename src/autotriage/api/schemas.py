"""Request and response bodies of the public API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from autotriage.domain.intake import NewTicket


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# SQLite hands timestamps back without their zone (they are UTC); the schema promises RFC 3339
# date-times, which need one (found by schemathesis, issue 9).
UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]


class TicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    subject: str = Field(description="Ticket subject; may be empty for chat messages.")
    body: str = Field(description="Ticket text; must not be empty or whitespace only.")
    sender: str | None = Field(default=None, max_length=320)
    channel: str | None = Field(default=None, max_length=50, examples=["email", "web", "chat"])
    external_id: str | None = Field(
        default=None, min_length=1, max_length=200,
        description="Your system's id; a repeated external_id returns the existing ticket.",
    )
    metadata: dict[str, Any] | None = None

    def to_domain(self) -> NewTicket:
        return NewTicket(self.subject, self.body, self.sender, self.channel, self.external_id,
                         self.metadata)


class TicketBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    tickets: list[TicketIn] = Field(min_length=1)


class TicketAccepted(BaseModel):
    id: int
    status: str
    status_url: str
    duplicate: bool = Field(description="True when an earlier submission was returned.")


class BatchAccepted(BaseModel):
    ids: list[int]
    duplicates: int


class Suggestion(BaseModel):
    label: str
    confidence: float


class FieldPredictionOut(BaseModel):
    label: str
    confidence: float
    top: list[Suggestion]
    decision: str


class LabelOut(BaseModel):
    field: str
    value: str
    source: str
    actor: str | None
    created_at: UtcDateTime


class TicketOut(BaseModel):
    id: int
    external_id: str | None
    subject: str
    body: str
    sender: str | None
    channel: str | None
    language: str | None
    metadata: dict[str, Any] | None
    status: str
    decision: str | None
    decision_reason: str | None = Field(default=None, description="Why the policy decided so.")
    model_version: str | None
    latency_ms: float | None
    predictions: dict[str, FieldPredictionOut]
    created_at: UtcDateTime
    updated_at: UtcDateTime
    classified_at: UtcDateTime | None
    # routing rules, urgency, SLA (issue 10)
    rules_fired: list[dict[str, Any]] = Field(
        default_factory=list, description="Rules that fired: name, kind, why, actions.")
    signals: dict[str, Any] | None = Field(
        default=None, description="urgency, sentiment and SLA (p50/p90 hours, breach risk).")
    assigned_team: str | None = None
    assigned_group: str | None = None


class TicketDetail(TicketOut):
    labels: list[LabelOut]


class TicketPage(BaseModel):
    items: list[TicketOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at end.")
    limit: int


class ClassifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    subject: str
    body: str


class ClassifyOut(BaseModel):
    decision: str
    decision_reason: str = ""
    model_version: str
    predictions: dict[str, FieldPredictionOut]
    latency_ms: float
