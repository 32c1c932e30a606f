"""routing rules, urgency, SLA: stored rule sets, and rules fired and signals per prediction

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None

When = sa.DateTime(timezone=True)
PREDICTION_COLUMNS = (
    ("rules_fired", sa.JSON()),
    ("signals", sa.JSON()),
    ("urgency", sa.String(20)),
    ("sentiment", sa.String(20)),
    ("sla_breach_risk", sa.Boolean()),
    ("assigned_team", sa.String(100)),
    ("assigned_group", sa.String(100)),
)


def upgrade() -> None:
    op.create_table(
        "rule_sets",
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(200)),
        sa.Column("updated_at", When, nullable=False),
    )
    for name, kind in PREDICTION_COLUMNS:
        op.add_column("predictions", sa.Column(name, kind))


def downgrade() -> None:
    # SQLite drops columns only by rebuilding the table; batch mode does that (and is a plain
    # ALTER on PostgreSQL).
    with op.batch_alter_table("predictions") as batch:
        for name, _kind in reversed(PREDICTION_COLUMNS):
            batch.drop_column(name)
    op.drop_table("rule_sets")
