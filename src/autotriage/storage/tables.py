"""SQLAlchemy 2 table definitions. The schema itself is created only by Alembic migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class TicketStatus:
    RECEIVED = "received"
    AUTO_ROUTED = "auto_routed"
    IN_REVIEW = "in_review"
    ESCALATED = "escalated"
    ALL = (RECEIVED, AUTO_ROUTED, IN_REVIEW, ESCALATED)


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    sender: Mapped[str | None] = mapped_column(String(320))
    channel: Mapped[str | None] = mapped_column(String(50))
    language: Mapped[str | None] = mapped_column(String(8))
    meta: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON)
    status: Mapped[str] = mapped_column(String(20), default=TicketStatus.RECEIVED)
    decision: Mapped[str | None] = mapped_column(String(20))
    # The current prediction. No foreign key: tickets and predictions would reference each
    # other, and a plain pointer keeps inserts and migrations simple on every database.
    prediction_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    classified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    prediction: Mapped[Prediction | None] = relationship(
        primaryjoin="foreign(Ticket.prediction_id) == Prediction.id", lazy="joined", viewonly=True
    )

    __table_args__ = (
        Index("ix_tickets_status_created", "status", "created_at"),
        Index("ix_tickets_decision", "decision"),
        Index("ix_tickets_created", "created_at"),
    )


class Prediction(Base):
    """One model version's prediction for one ticket; the fields live in FieldPrediction."""

    __tablename__ = "predictions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("tickets.id", ondelete="CASCADE"))
    model_version: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(20))
    latency_ms: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    fields: Mapped[list[FieldPrediction]] = relationship(
        back_populates="prediction", lazy="selectin", order_by="FieldPrediction.id"
    )

    __table_args__ = (
        # A message delivered twice never yields two predictions from the same model.
        UniqueConstraint("ticket_id", "model_version", name="uq_predictions_ticket_model"),
    )


class FieldPrediction(Base):
    __tablename__ = "field_predictions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    prediction_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("predictions.id", ondelete="CASCADE")
    )
    field: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(200))
    confidence: Mapped[float] = mapped_column(Float)
    # [[label, probability], ...] best first, three at most.
    top: Mapped[list[list[Any]]] = mapped_column(JSON)
    decision: Mapped[str] = mapped_column(String(20))

    prediction: Mapped[Prediction] = relationship(back_populates="fields")

    __table_args__ = (
        Index("ix_field_predictions_prediction", "prediction_id"),
        Index("ix_field_predictions_field_label", "field", "label"),
    )


class LabelSource:
    REVIEW = "review"
    FEEDBACK = "feedback"
    RESOLUTION = "resolution"
    IMPORT = "import"
    ALL = (REVIEW, FEEDBACK, RESOLUTION, IMPORT)


class Label(Base):
    """A verified value of one field of one ticket, with where it came from."""

    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("tickets.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_labels_ticket_field", "ticket_id", "field"),
        Index("ix_labels_created", "created_at"),
    )
