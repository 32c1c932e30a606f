"""review workflow: leases, verdicts, double reviews, audit events, label provenance

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Nullable columns only: SQLite can add them with a plain ALTER TABLE.
    op.add_column("tickets", sa.Column("review_lease_owner", sa.String(200)))
    op.add_column("tickets", sa.Column("review_lease_until", When))
    op.add_column("labels", sa.Column("verdict_id", BigId))
    op.add_column("labels", sa.Column("invalidated_at", When))
    op.create_index("ix_labels_verdict", "labels", ["verdict_id"])
    op.create_index("ix_labels_field_source", "labels", ["field", "source"])

    op.create_table(
        "review_verdicts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", BigId, sa.ForeignKey("tickets.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("round", sa.String(20), nullable=False),
        sa.Column("label_values", sa.JSON(), nullable=False),
        sa.Column("batch", sa.String(36), nullable=False),
        sa.Column("prev_status", sa.String(20), nullable=False),
        sa.Column("new_status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("created_at", When, nullable=False),
        sa.Column("undone_at", When),
    )
    op.create_index("ix_review_verdicts_reviewer", "review_verdicts", ["reviewer", "created_at"])
    op.create_index("ix_review_verdicts_ticket", "review_verdicts", ["ticket_id"])
    op.create_index("ix_review_verdicts_batch", "review_verdicts", ["batch"])

    op.create_table(
        "double_reviews",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", BigId, sa.ForeignKey("tickets.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("first_verdict_id", BigId,
                  sa.ForeignKey("review_verdicts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("first_reviewer", sa.String(200), nullable=False),
        sa.Column("second_verdict_id", BigId),
        sa.Column("second_reviewer", sa.String(200)),
        sa.Column("adjudication_verdict_id", BigId),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("lease_owner", sa.String(200)),
        sa.Column("lease_until", When),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.UniqueConstraint("first_verdict_id", name="uq_double_reviews_first_verdict"),
    )
    op.create_index("ix_double_reviews_status", "double_reviews", ["status", "created_at"])

    op.create_table(
        "audit_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", BigId),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", When, nullable=False),
    )
    op.create_index("ix_audit_events_ticket", "audit_events", ["ticket_id", "id"])
    op.create_index("ix_audit_events_created", "audit_events", ["created_at"])


def downgrade() -> None:
    op.drop_table("audit_events")
    op.drop_table("double_reviews")
    op.drop_table("review_verdicts")
    op.drop_index("ix_labels_field_source", table_name="labels")
    op.drop_index("ix_labels_verdict", table_name="labels")
    # Plain ALTER TABLE DROP COLUMN (SQLite >= 3.35): a batch rebuild of `tickets` would drop
    # the table and, with foreign keys on, cascade-delete every prediction.
    op.drop_column("labels", "invalidated_at")
    op.drop_column("labels", "verdict_id")
    op.drop_column("tickets", "review_lease_until")
    op.drop_column("tickets", "review_lease_owner")
