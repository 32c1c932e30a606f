"""merge the feature branches developed side by side into one head

Revision ID: 0010
Revises: 0002, 0003, 0004, 0006, 0007, 0008, 0009
Create Date: 2026-11-21

The feature migrations each branched off 0001 (see docs/decisions/0001-foundation.md); they
touch disjoint tables and columns, so joining them needs no schema change. New migrations
build on 0010.
"""

from __future__ import annotations

revision = "0010"
down_revision = ("0002", "0003", "0004", "0006", "0007", "0008", "0009")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
