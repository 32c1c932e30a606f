"""Users, credentials (API keys and login sessions) and ticket submitters: all their SQL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from autotriage.storage.tables import Credential, TicketOwner, User, utcnow


def get_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def get_user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count(User.id))) or 0)


def add_user(session: Session, username: str, role: str, password_hash: str | None) -> User:
    user = User(username=username, role=role, password_hash=password_hash, active=True,
                created_at=utcnow())
    session.add(user)
    session.flush()
    return user


def add_credential(
    session: Session, user: User, *, kind: str, name: str, prefix: str, secret_hash: str,
    role: str, expires_at: datetime | None = None,
) -> Credential:
    credential = Credential(user_id=user.id, kind=kind, name=name, prefix=prefix,
                            secret_hash=secret_hash, role=role, created_at=utcnow(),
                            expires_at=expires_at)
    session.add(credential)
    session.flush()
    return credential


def credential_with_user(session: Session, prefix: str) -> tuple[Credential, User] | None:
    row = session.execute(
        select(Credential, User).join(User, User.id == Credential.user_id)
        .where(Credential.prefix == prefix)
    ).first()
    return (row[0], row[1]) if row else None


def list_credentials(session: Session, kind: str, username: str | None = None
                     ) -> list[tuple[Credential, User]]:
    query = (select(Credential, User).join(User, User.id == Credential.user_id)
             .where(Credential.kind == kind).order_by(Credential.id))
    if username is not None:
        query = query.where(User.username == username)
    return [(c, u) for c, u in session.execute(query)]


def revoke_credential(session: Session, prefix: str, kind: str) -> bool:
    result = session.execute(
        update(Credential)
        .where(Credential.prefix == prefix, Credential.kind == kind,
               Credential.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return bool(getattr(result, "rowcount", 0))


def revoke_all(session: Session, user_id: int) -> None:
    session.execute(update(Credential).where(Credential.user_id == user_id,
                                             Credential.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))


def record_submitter(session: Session, ticket_ids: Iterable[int], user_id: int) -> None:
    for ticket_id in dict.fromkeys(ticket_ids):  # a batch may name one ticket twice
        session.add(TicketOwner(ticket_id=ticket_id, user_id=user_id))
    session.flush()


def submitted_by(session: Session, ticket_id: int, user_id: int) -> bool:
    owner = session.get(TicketOwner, ticket_id)
    return owner is not None and owner.user_id == user_id
