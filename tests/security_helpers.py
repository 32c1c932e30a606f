"""Test callers with real credentials: users and API keys made through the real accounts code.

`ActAs` is an auth callable (request in, request out) for the shared `client` fixture: it
sends an admin's API key, and a request that names `X-User: <name>` (as tests written before
authentication do) is sent with the API key of a user of that name instead, so such tests keep
their distinct actors.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from autotriage.security import accounts
from autotriage.storage import security_repository
from autotriage.storage.tables import Role

ADMIN = "test-admin"


def make_key(sessions: sessionmaker[Session], username: str, role: str = Role.ADMIN,
             key_role: str | None = None, password: str | None = None) -> str:
    """An API key of `username`, created with that role when the user does not exist yet."""
    with sessions() as session:
        if security_repository.get_user(session, username) is None:
            accounts.create_user(session, username, role, password)
        key, _ = accounts.create_key(session, username, role=key_role)
        session.commit()
    return key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


class ActAs:
    def __init__(self, sessions: sessionmaker[Session], default_user: str = ADMIN) -> None:
        self.sessions = sessions
        self.default_user = default_user
        self.keys: dict[str, str] = {}

    def key_for(self, username: str) -> str:
        if username not in self.keys:
            self.keys[username] = make_key(self.sessions, username)
        return self.keys[username]

    def __call__(self, request: Any) -> Any:
        if "authorization" not in request.headers and "x-api-key" not in request.headers:
            user = request.headers.pop("x-user", None) or self.default_user
            request.headers["Authorization"] = f"Bearer {self.key_for(user)}"
        return request
