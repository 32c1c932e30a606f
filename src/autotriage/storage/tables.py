"""SQLAlchemy 2 table definitions. The schema itself is created only by Alembic migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
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
    # review (issue 4): a verdict moves a ticket on to one of these
    REVIEWED = "reviewed"  # suggestion accepted or corrected; its labels are verified
    REJECTED = "rejected"  # out of scope or spam
    # production backends (issue 6): its message failed max_attempts times and sits in the
    # dead-letter list until re-driven; the sweeper leaves it alone.
    FAILED = "failed"
    ALL = (RECEIVED, AUTO_ROUTED, IN_REVIEW, ESCALATED, REVIEWED, REJECTED, FAILED)


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
    # review (issue 4): who holds the ticket and until when; free when null or expired
    review_lease_owner: Mapped[str | None] = mapped_column(String(200))
    review_lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    prediction: Mapped[Prediction | None] = relationship(
        primaryjoin="foreign(Ticket.prediction_id) == Prediction.id", lazy="joined", viewonly=True
    )

    __table_args__ = (
        Index("ix_tickets_status_created", "status", "created_at"),
        Index("ix_tickets_decision", "decision"),
        Index("ix_tickets_created", "created_at"),
        Index("ix_tickets_status_id", "status", "id"),  # web UI list by status (issue 8)
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
    # decision policy v2 (issue 3): why the policy decided what it did, for people and audits
    reason: Mapped[str | None] = mapped_column(String(500))
    # routing rules, urgency, SLA (issue 10): the rules that fired ([{name, kind, why, actions}]),
    # the signals ({urgency, sentiment, sla}) and the assignment. The three signal columns are
    # copies of the JSON for grouping in statistics.
    rules_fired: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    signals: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    urgency: Mapped[str | None] = mapped_column(String(20))
    sentiment: Mapped[str | None] = mapped_column(String(20))
    sla_breach_risk: Mapped[bool | None] = mapped_column(Boolean)
    assigned_team: Mapped[str | None] = mapped_column(String(100))
    assigned_group: Mapped[str | None] = mapped_column(String(100))

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
    # review (issue 4): the verdict that wrote the label; an undone or adjudicated-away label
    # is kept for the audit trail but invalidated (only labels with invalidated_at null count).
    verdict_id: Mapped[int | None] = mapped_column(BigId)
    invalidated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_labels_ticket_field", "ticket_id", "field"),
        Index("ix_labels_created", "created_at"),
        Index("ix_labels_verdict", "verdict_id"),
        Index("ix_labels_field_source", "field", "source"),
    )


# --- Integrations (issue 11): outbound webhook outbox and bulk-import checkpoints ---


class DeliveryStatus:
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the maximum number of attempts
    ALL = (PENDING, DELIVERED, FAILED)


class WebhookDelivery(Base):
    """One event for one receiver URL: the outbox row and, once sent, its delivery log."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Receivers deduplicate by event_id; (event_key, url) stops a redelivered queue message or
    # a second verdict write from enqueueing the same event twice.
    event_id: Mapped[str] = mapped_column(String(64))
    event_key: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(50))
    ticket_id: Mapped[int | None] = mapped_column(BigId)
    url: Mapped[str] = mapped_column(String(2000))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("event_key", "url", name="uq_webhook_deliveries_event_url"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_ticket", "ticket_id"),
    )


class ImportRun(Base):
    """Progress of one bulk import of one file: the checkpoint a re-run resumes from."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # sha256 of the file's bytes and the import options: the same file imported the same way.
    fingerprint: Mapped[str] = mapped_column(String(100), unique=True)
    source: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(20))
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    tickets_created: Mapped[int] = mapped_column(Integer, default=0)
    labels_created: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --- Review workflow (issue 4): verdicts, double reviews, audit events ---


class VerdictAction:
    ACCEPT = "accept"
    CORRECT = "correct"
    OUT_OF_SCOPE = "out_of_scope"
    SPAM = "spam"
    ESCALATE = "escalate"
    ALL = (ACCEPT, CORRECT, OUT_OF_SCOPE, SPAM, ESCALATE)


class VerdictRound:
    FIRST = "first"
    SECOND = "second"
    ADJUDICATION = "adjudication"


class ReviewVerdict(Base):
    """One reviewer's verdict on one ticket; `label_values` holds the field values it states."""

    __tablename__ = "review_verdicts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("tickets.id", ondelete="CASCADE"))
    reviewer: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))
    round: Mapped[str] = mapped_column(String(20))
    label_values: Mapped[dict[str, str]] = mapped_column(JSON)
    # Verdicts applied together (bulk) share a batch and are undone together.
    batch: Mapped[str] = mapped_column(String(36))
    prev_status: Mapped[str] = mapped_column(String(20))
    new_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_review_verdicts_reviewer", "reviewer", "created_at"),
        Index("ix_review_verdicts_ticket", "ticket_id"),
        Index("ix_review_verdicts_batch", "batch"),
    )


class DoubleReviewStatus:
    PENDING = "pending"  # waits for a second reviewer
    AGREED = "agreed"
    CONFLICT = "conflict"  # waits for adjudication
    ADJUDICATED = "adjudicated"
    CANCELLED = "cancelled"  # the first verdict was undone
    ALL = (PENDING, AGREED, CONFLICT, ADJUDICATED, CANCELLED)


class DoubleReview(Base):
    """A reviewed ticket sampled for an independent second review by a different reviewer."""

    __tablename__ = "double_reviews"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("tickets.id", ondelete="CASCADE"))
    first_verdict_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("review_verdicts.id", ondelete="CASCADE")
    )
    first_reviewer: Mapped[str] = mapped_column(String(200))
    second_verdict_id: Mapped[int | None] = mapped_column(BigId)
    second_reviewer: Mapped[str | None] = mapped_column(String(200))
    adjudication_verdict_id: Mapped[int | None] = mapped_column(BigId)
    status: Mapped[str] = mapped_column(String(20), default=DoubleReviewStatus.PENDING)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("first_verdict_id", name="uq_double_reviews_first_verdict"),
        Index("ix_double_reviews_status", "status", "created_at"),
    )


class AuditEvent(Base):
    """Who did what to which ticket, append-only. No foreign key: the trail outlives rows."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int | None] = mapped_column(BigId)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_audit_events_ticket", "ticket_id", "id"),
        Index("ix_audit_events_created", "created_at"),
    )


class FieldPolicyRow(Base):
    """decision policy v2 (issue 3): an admin's mode for one predicted field, shared by every
    process. Fields without a row use the `field_modes` setting."""

    __tablename__ = "field_policies"

    field: Mapped[str] = mapped_column(String(100), primary_key=True)
    mode: Mapped[str] = mapped_column(String(20))
    updated_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RuleSetVersion(Base):
    """routing rules (issue 10): every saved rules document; the highest version is active, and
    every process picks it up within `rules_refresh_seconds`."""

    __tablename__ = "rule_sets"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --- Self-improvement (issue 5): alias history, retraining runs, cross-process locks ---


class ModelEvent(Base):
    """One change of a model alias (champion, challenger): who, when, why, with which figures.
    Append-only; the registry holds the current aliases, this table their history."""

    __tablename__ = "model_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    action: Mapped[str] = mapped_column(String(20))  # promote, rollback, challenger
    alias: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(100))
    previous_version: Mapped[str | None] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    retrain_run_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_model_events_alias", "alias", "id"),)


class RetrainStatus:
    RUNNING = "running"
    PROMOTED = "promoted"  # the challenger passed the gate and is the champion now
    REJECTED = "rejected"  # trained and evaluated; the gate kept the champion
    EVALUATED = "evaluated"  # a dry run, or promotion left to a person
    FAILED = "failed"
    FINISHED = (PROMOTED, REJECTED, EVALUATED, FAILED)


class RetrainRun(Base):
    __tablename__ = "retrain_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(20), default=RetrainStatus.RUNNING)
    trigger: Mapped[str] = mapped_column(String(20))  # manual, labels, schedule, drift
    actor: Mapped[str] = mapped_column(String(200))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    # Labels up to this id were in the data: "N new labels since" counts from here.
    max_label_id: Mapped[int | None] = mapped_column(BigId)
    champion_version: Mapped[str | None] = mapped_column(String(100))
    challenger_version: Mapped[str | None] = mapped_column(String(100))
    decided_by: Mapped[str | None] = mapped_column(String(40))
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_retrain_runs_started", "started_at"),)


class LockRow(Base):
    """A named lock shared by every process and machine on the database; it expires, so a
    crashed holder cannot keep it forever."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# security (issue 9): people and integrations that may call the service, their API keys and
# login sessions (both stored as hashes only), and who submitted which ticket.
class Role:
    SUBMITTER = "submitter"
    REVIEWER = "reviewer"
    ADMIN = "admin"
    ALL = (SUBMITTER, REVIEWER, ADMIN)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    # scrypt; null for integrations that only ever use API keys
    password_hash: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CredentialKind:
    API_KEY = "api_key"
    SESSION = "session"


class Credential(Base):
    """An API key or a login session: a random token whose sha256 alone is kept; `prefix` (not
    secret) finds the row, the hash is compared in constant time."""

    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    # a key may act with less than its user's role, never more
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_credentials_user", "user_id"),)


class TicketOwner(Base):
    """Who submitted a ticket through the API: submitters may read only their own."""

    __tablename__ = "ticket_owners"

    ticket_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))

    __table_args__ = (Index("ix_ticket_owners_user", "user_id", "ticket_id"),)
