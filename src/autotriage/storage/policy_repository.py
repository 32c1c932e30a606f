"""SQL of the field modes (decision policy v2). Functions never commit: the caller does."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from autotriage.storage.tables import FieldPolicyRow, utcnow


def field_modes(session: Session) -> dict[str, FieldPolicyRow]:
    return {row.field: row for row in session.scalars(select(FieldPolicyRow))}


def set_field_mode(session: Session, field: str, mode: str, actor: str | None) -> FieldPolicyRow:
    row = session.get(FieldPolicyRow, field)
    if row is None:
        row = FieldPolicyRow(field=field)
        session.add(row)
    row.mode = mode
    row.updated_by = actor
    row.updated_at = utcnow()
    session.flush()
    return row
