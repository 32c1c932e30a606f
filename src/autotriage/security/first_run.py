"""The first administrator: created once, when the database has no user, with a random password
and API key that are printed once and kept in a file only its owner can read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from autotriage.config import Settings
from autotriage.security import accounts, credentials
from autotriage.security.auth import write_private
from autotriage.storage import security_repository
from autotriage.storage.db import make_engine, make_session_factory
from autotriage.storage.tables import Role

CREDENTIALS_FILE = "admin-credentials.txt"


def ensure_first_admin(settings: Settings, say: Callable[[str], object] = print) -> Path | None:
    """Creates the admin when there is no user at all; returns the credentials file then."""
    if not settings.auth_enabled:
        return None
    engine = make_engine(settings.resolved_database_url)
    try:
        with make_session_factory(engine)() as session:
            if security_repository.count_users(session):
                return None
            password = credentials.new_password()
            accounts.create_user(session, settings.admin_username, Role.ADMIN, password)
            key, _ = accounts.create_key(session, settings.admin_username, name="first-run")
            path = settings.data_dir / CREDENTIALS_FILE
            path.unlink(missing_ok=True)  # left from an earlier database: its users are gone
            # the file first: a secret nobody can read again would lock everyone out
            write_private(path, f"username: {settings.admin_username}\npassword: {password}\n"
                                f"api_key: {key}\n")
            session.commit()
    finally:
        engine.dispose()
    say(f"first run: created admin {settings.admin_username!r}; password {password} and API key "
        f"{key} (shown once; also in {path}, readable only by you). Create more users with "
        "`autotriage users create`.")
    return path
