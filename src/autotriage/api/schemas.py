"""Request and response bodies of the public API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from autotriage.domain.intake import NewTicket


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
    created_at: datetime


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
    model_version: str | None
    latency_ms: float | None
    predictions: dict[str, FieldPredictionOut]
    created_at: datetime
    updated_at: datetime
    classified_at: datetime | None


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
    model_version: str
    predictions: dict[str, FieldPredictionOut]
    latency_ms: float
