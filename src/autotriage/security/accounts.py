"""Users, API keys and login sessions: create, check, revoke. Callers commit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from autotriage.errors import Conflict, InvalidInput, NotFound
from autotriage.security import credentials
from autotriage.security.policy import RANK
from autotriage.storage import security_repository as repo
from autotriage.storage.tables import Credential, CredentialKind, Role, User, utcnow

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")


@dataclass(frozen=True)
class Principal:
    """Who is calling: `role` is what this credential may do (a key can be narrower than its
    user). `session_prefix` is set for browser sessions, which need a CSRF token to change
    anything."""

    user_id: int | None
    username: str
    role: str
    key_prefix: str | None = None
    session_prefix: str | None = None


def check_role(role: str) -> str:
    if role not in Role.ALL:
        raise InvalidInput(f"unknown role {role!r}; use one of {list(Role.ALL)}")
    return role


def create_user(session: Session, username: str, role: str, password: str | None) -> User:
    if not _USERNAME.match(username):
        raise InvalidInput("username: 1-100 letters, digits, '.', '_', '@' or '-', "
                           "starting with a letter or digit")
    check_role(role)
    if repo.get_user(session, username) is not None:
        raise Conflict(f"user {username!r} exists already")
    return repo.add_user(session, username, role,
                         credentials.hash_password(password) if password else None)


def find_user(session: Session, username: str) -> User:
    user = repo.get_user(session, username)
    if user is None:
        raise NotFound(f"no user {username!r}; `autotriage users list` shows them")
    return user


def disable_user(session: Session, username: str) -> User:
    """Disabled users cannot log in, and their keys and sessions stop working at once."""
    user = find_user(session, username)
    user.active = False
    repo.revoke_all(session, user.id)
    return user


def set_password(session: Session, username: str, password: str) -> User:
    user = find_user(session, username)
    user.password_hash = credentials.hash_password(password)
    return user


def create_key(session: Session, username: str, name: str = "", role: str | None = None
               ) -> tuple[str, Credential]:
    """A new API key for the user, with its role or a lesser one. The key is returned once."""
    user = find_user(session, username)
    role = check_role(role or user.role)
    if RANK[role] > RANK[user.role]:
        raise InvalidInput(f"a key of {username!r} ({user.role}) cannot have the role {role}")
    token = credentials.new_token(credentials.KEY_MARK)
    row = repo.add_credential(session, user, kind=CredentialKind.API_KEY, name=name[:100],
                              prefix=token.prefix, secret_hash=token.secret_hash, role=role)
    return token.token, row


def revoke_key(session: Session, prefix: str) -> None:
    if not repo.revoke_credential(session, prefix, CredentialKind.API_KEY):
        raise NotFound(f"no active API key with prefix {prefix!r}")


def authenticate_token(session: Session, token: str) -> Principal | None:
    """The principal of an API key (`atk_...`) or session token (`ats_...`), or None when it is
    malformed, unknown, revoked, expired, or its user is disabled."""
    mark = token.split("_", 1)[0]
    kind = {credentials.KEY_MARK: CredentialKind.API_KEY,
            credentials.SESSION_MARK: CredentialKind.SESSION}.get(mark)
    prefix = credentials.split_token(token, mark)
    if kind is None or prefix is None:
        return None
    found = repo.credential_with_user(session, prefix)
    if found is None:
        return None
    row, user = found
    if (row.kind != kind or row.revoked_at is not None or not user.active
            or _expired(row.expires_at) or not credentials.token_matches(token, row.secret_hash)):
        return None
    role = min(row.role, user.role, key=lambda r: RANK.get(r, 0))
    if kind == CredentialKind.SESSION:
        return Principal(user.id, user.username, role, session_prefix=prefix)
    return Principal(user.id, user.username, role, key_prefix=prefix)


def login(session: Session, username: str, password: str, max_age_seconds: float
          ) -> str | None:
    """A new session token for the right password of an active user, else None."""
    user = repo.get_user(session, username)
    valid = credentials.verify_password(password, user.password_hash if user else None)
    if user is None or not valid or not user.active:
        return None
    token = credentials.new_token(credentials.SESSION_MARK)
    repo.add_credential(session, user, kind=CredentialKind.SESSION, name="login",
                        prefix=token.prefix, secret_hash=token.secret_hash, role=user.role,
                        expires_at=utcnow() + timedelta(seconds=max_age_seconds))
    return token.token


def logout(session: Session, token: str) -> None:
    prefix = credentials.split_token(token, credentials.SESSION_MARK)
    if prefix is not None:
        repo.revoke_credential(session, prefix, CredentialKind.SESSION)


def _expired(expires_at: datetime | None) -> bool:
    if expires_at is None:
        return False
    if expires_at.tzinfo is None:  # SQLite gives naive UTC back
        expires_at = expires_at.replace(tzinfo=UTC)
    return expires_at <= utcnow()
