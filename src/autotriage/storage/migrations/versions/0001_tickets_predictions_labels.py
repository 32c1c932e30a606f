"""tickets, predictions, field predictions, labels

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("external_id", sa.String(200), unique=True),
        sa.Column("idempotency_key", sa.String(200), unique=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sender", sa.String(320)),
        sa.Column("channel", sa.String(50)),
        sa.Column("language", sa.String(8)),
        sa.Column("metadata", sa.JSON()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decision", sa.String(20)),
        sa.Column("prediction_id", BigId),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.Column("classified_at", When),
    )
    op.create_index("ix_tickets_status_created", "tickets", ["status", "created_at"])
    op.create_index("ix_tickets_decision", "tickets", ["decision"])
    op.create_index("ix_tickets_created", "tickets", ["created_at"])

    op.create_table(
        "predictions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", BigId, sa.ForeignKey("tickets.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.UniqueConstraint("ticket_id", "model_version", name="uq_predictions_ticket_model"),
    )

    op.create_table(
        "field_predictions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("prediction_id", BigId, sa.ForeignKey("predictions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("top", sa.JSON(), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
    )
    op.create_index("ix_field_predictions_prediction", "field_predictions", ["prediction_id"])
    op.create_index("ix_field_predictions_field_label", "field_predictions", ["field", "label"])

    op.create_table(
        "labels",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", BigId, sa.ForeignKey("tickets.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("created_at", When, nullable=False),
    )
    op.create_index("ix_labels_ticket_field", "labels", ["ticket_id", "field"])
    op.create_index("ix_labels_created", "labels", ["created_at"])


def downgrade() -> None:
    op.drop_table("labels")
    op.drop_table("field_predictions")
    op.drop_table("predictions")
    op.drop_table("tickets")
