"""self-improvement: model alias history, retraining runs, cross-process locks

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "model_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("alias", sa.String(20), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("previous_version", sa.String(100)),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("metrics", sa.JSON()),
        sa.Column("retrain_run_id", BigId),
        sa.Column("created_at", When, nullable=False),
    )
    op.create_index("ix_model_events_alias", "model_events", ["alias", "id"])

    op.create_table(
        "retrain_runs",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("max_label_id", BigId),
        sa.Column("champion_version", sa.String(100)),
        sa.Column("challenger_version", sa.String(100)),
        sa.Column("decided_by", sa.String(40)),
        sa.Column("report", sa.JSON()),
        sa.Column("error", sa.Text()),
        sa.Column("started_at", When, nullable=False),
        sa.Column("finished_at", When),
    )
    op.create_index("ix_retrain_runs_started", "retrain_runs", ["started_at"])

    op.create_table(
        "locks",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("acquired_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("locks")
    op.drop_table("retrain_runs")
    op.drop_table("model_events")
