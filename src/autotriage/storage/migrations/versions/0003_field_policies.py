"""decision policy v2: field modes set by an admin, and the reason of every decision

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "field_policies",
        sa.Column("field", sa.String(100), primary_key=True),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("updated_by", sa.String(200)),
        sa.Column("updated_at", When, nullable=False),
    )
    op.add_column("predictions", sa.Column("reason", sa.String(500)))


def downgrade() -> None:
    # SQLite drops a column only by rebuilding the table, which batch mode does.
    with op.batch_alter_table("predictions") as batch:
        batch.drop_column("reason")
    op.drop_table("field_policies")
