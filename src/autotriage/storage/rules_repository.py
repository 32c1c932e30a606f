"""SQL of the routing rules: saved rule documents, newest version active. The caller commits."""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from autotriage.storage.tables import RuleSetVersion, utcnow


def active_version(session: Session) -> int | None:
    """The active version number, a cheap query for caches to check."""
    return session.scalar(select(func.max(RuleSetVersion.version)))


def active_rules(session: Session) -> RuleSetVersion | None:
    return session.scalar(
        select(RuleSetVersion).order_by(RuleSetVersion.version.desc()).limit(1)
    )


def save_rules(session: Session, document: str, updated_by: str | None) -> int:
    """Store a new version. Two admins saving at once collide on the primary key (IntegrityError),
    so neither overwrites the other unseen."""
    version = (active_version(session) or 0) + 1
    session.execute(insert(RuleSetVersion).values(
        version=version, document=document, updated_by=updated_by, updated_at=utcnow()
    ))
    return version
