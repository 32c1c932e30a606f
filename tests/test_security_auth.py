"""Users, API keys, login sessions with CSRF, ownership of tickets, the first admin, the CLI."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from autotriage.app import create_app
from autotriage.cli import app as cli_app
from autotriage.config import Settings
from autotriage.runtime import Runtime
from autotriage.security import accounts
from autotriage.security.credentials import csrf_token
from autotriage.security.first_run import CREDENTIALS_FILE, ensure_first_admin
from autotriage.storage.tables import Role
from tests.security_helpers import bearer, make_key

TICKET = {"subject": "Charged twice", "body": "My card was charged twice for order 4411."}


@pytest.fixture
def app_client(runtime: Runtime) -> Iterator[TestClient]:
    settings = runtime.settings.model_copy(update={"auth_enabled": True})
    with TestClient(create_app(settings, runtime=runtime, background=False)) as client:
        yield client


def test_api_keys_in_either_header_and_revocation(app_client: TestClient,
                                                  runtime: Runtime) -> None:
    key = make_key(runtime.sessions, "ops", Role.ADMIN)
    assert app_client.get("/api/v1/tickets", headers=bearer(key)).status_code == 200
    assert app_client.get("/api/v1/tickets", headers={"X-API-Key": key}).status_code == 200
    forged = key[:-4] + ("aaaa" if not key.endswith("aaaa") else "bbbb")
    assert app_client.get("/api/v1/tickets", headers=bearer(forged)).status_code == 401
    with runtime.sessions() as session:
        accounts.revoke_key(session, key.split("_")[1])
        session.commit()
    refused = app_client.get("/api/v1/tickets", headers=bearer(key))
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


def test_a_key_can_be_narrower_than_its_user_never_wider(app_client: TestClient,
                                                        runtime: Runtime) -> None:
    narrow = make_key(runtime.sessions, "lead", Role.ADMIN, key_role=Role.SUBMITTER)
    assert app_client.get("/api/v1/admin/fields", headers=bearer(narrow)).status_code == 403
    with runtime.sessions() as session, pytest.raises(Exception, match="cannot have the role"):
        accounts.create_user(session, "intake-bot", Role.SUBMITTER, None)
        accounts.create_key(session, "intake-bot", role=Role.ADMIN)


def test_disabling_a_user_stops_their_keys(app_client: TestClient, runtime: Runtime) -> None:
    key = make_key(runtime.sessions, "leaver", Role.REVIEWER)
    assert app_client.get("/api/v1/review/queue", headers=bearer(key)).status_code == 200
    with runtime.sessions() as session:
        accounts.disable_user(session, "leaver")
        session.commit()
    assert app_client.get("/api/v1/review/queue", headers=bearer(key)).status_code == 401


def test_submitters_see_only_their_own_tickets(app_client: TestClient, runtime: Runtime) -> None:
    alice = bearer(make_key(runtime.sessions, "alice", Role.SUBMITTER))
    bob = bearer(make_key(runtime.sessions, "bob", Role.SUBMITTER))
    reviewer = bearer(make_key(runtime.sessions, "rita", Role.REVIEWER))
    mine = app_client.post("/api/v1/tickets", json=TICKET, headers=alice).json()["id"]
    theirs = app_client.post("/api/v1/tickets/batch", json={"tickets": [TICKET]},
                             headers=bob).json()["ids"][0]
    assert app_client.get(f"/api/v1/tickets/{mine}", headers=alice).status_code == 200
    assert app_client.get(f"/api/v1/tickets/{theirs}", headers=alice).status_code == 404
    assert [t["id"] for t in app_client.get("/api/v1/tickets", headers=alice).json()["items"]] \
        == [mine]
    assert {t["id"] for t in app_client.get("/api/v1/tickets", headers=reviewer).json()["items"]} \
        == {mine, theirs}


def test_the_actor_is_the_authenticated_user(app_client: TestClient, runtime: Runtime) -> None:
    key = make_key(runtime.sessions, "ada", Role.ADMIN)
    response = app_client.put("/api/v1/admin/fields/priority", json={"mode": "suggest"},
                              headers={**bearer(key), "X-User": "mallory"})
    assert response.status_code == 200, response.text
    assert response.json()["updated_by"] == "ada"


def _login(client: TestClient, username: str, password: str) -> TestClient:
    page = client.get("/login?next=/api/v1/review/queue")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert page.status_code == 200 and token
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token.group(1),
                                           "next": "/api/v1/review/queue"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/api/v1/review/queue"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    return client


def test_login_session_needs_csrf_for_changes_and_logout_ends_it(
        app_client: TestClient, runtime: Runtime) -> None:
    with runtime.sessions() as session:
        accounts.create_user(session, "rev", Role.REVIEWER, "correct horse battery")
        session.commit()
    client = _login(app_client, "rev", "correct horse battery")
    assert client.get("/api/v1/review/queue").status_code == 200
    refused = client.post("/api/v1/review/claim", json={"count": 1})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    prefix = client.cookies["autotriage_session"].split("_")[1]
    token = csrf_token(prefix, client.app.state.security.signing_key)  # type: ignore[attr-defined]
    assert client.post("/api/v1/review/claim", json={"count": 1},
                       headers={"X-CSRF-Token": token}).status_code == 200
    assert client.get("/api/v1/admin/fields").status_code == 403  # a reviewer's session
    stolen = client.cookies["autotriage_session"]
    client.post("/logout", follow_redirects=False)
    client.cookies.set("autotriage_session", stolen)
    assert client.get("/api/v1/review/queue").status_code == 401


def test_login_refuses_wrong_passwords_forged_forms_and_foreign_redirects(
        app_client: TestClient, runtime: Runtime) -> None:
    with runtime.sessions() as session:
        accounts.create_user(session, "sam", Role.SUBMITTER, "a long passphrase")
        session.commit()
    forged = app_client.post("/login", data={"username": "sam", "password": "a long passphrase",
                                             "csrf_token": "made-up"})
    assert forged.status_code == 403
    page = app_client.get("/login?next=//evil.example/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert 'value="/"' in page.text
    form = {"username": "sam", "csrf_token": token}
    statuses = [app_client.post("/login", data={**form, "password": f"guess {i}"}).status_code
                for i in range(12)]
    assert statuses[0] == 401 and statuses[-1] == 429


def test_first_run_creates_one_admin_with_a_private_secret(settings: Settings,
                                                            migrated: Settings) -> None:
    secured = settings.model_copy(update={"auth_enabled": True})
    said: list[str] = []
    path = ensure_first_admin(secured, said.append)
    assert path == settings.data_dir / CREDENTIALS_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    secret = dict(line.split(": ", 1) for line in path.read_text().splitlines())
    assert secret["api_key"] in said[0] and secret["password"] in said[0]
    assert ensure_first_admin(secured, said.append) is None and len(said) == 1
    runtime = Runtime(secured)
    try:
        with TestClient(create_app(secured, runtime=runtime, background=False)) as client:
            assert client.get("/api/v1/admin/fields",
                              headers=bearer(secret["api_key"])).status_code == 200
    finally:
        runtime.close()


def test_users_cli(settings: Settings, migrated: Settings, monkeypatch: pytest.MonkeyPatch
                   ) -> None:
    monkeypatch.setenv("AUTOTRIAGE_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()
    created = runner.invoke(cli_app, ["users", "create", "zed", "--role", "reviewer"])
    assert created.exit_code == 0 and "password: " in created.output
    key = runner.invoke(cli_app, ["users", "create-key", "zed", "--name", "sync"])
    assert key.exit_code == 0
    token = key.output.strip().splitlines()[-1]
    assert token.startswith("atk_")
    listed = runner.invoke(cli_app, ["users", "list"])
    assert "zed\treviewer\tactive" in listed.output and token.split("_")[1] in listed.output
    assert runner.invoke(cli_app, ["users", "revoke-key", token.split("_")[1]]).exit_code == 0
    assert runner.invoke(cli_app, ["users", "revoke-key", token.split("_")[1]]).exit_code == 2
    assert runner.invoke(cli_app, ["users", "create", "zed"]).exit_code == 2
    assert runner.invoke(cli_app, ["users", "create", "x", "--role", "boss"]).exit_code == 2
    assert runner.invoke(cli_app, ["users", "disable", "zed"]).exit_code == 0
    assert "zed\treviewer\tdisabled" in runner.invoke(cli_app, ["users", "list"]).output


def test_secrets_come_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "session_secret"
    secret.write_text("from-a-mounted-secret\n")
    monkeypatch.setenv("AUTOTRIAGE_SESSION_SECRET_FILE", str(secret))
    loaded = Settings(_env_file=None)  # type: ignore[call-arg]
    assert loaded.session_secret is not None
    assert loaded.session_secret.get_secret_value() == "from-a-mounted-secret"
    with pytest.raises(ValueError, match="both directly"):
        Settings(session_secret="inline", _env_file=None)  # type: ignore[call-arg]
    monkeypatch.setenv("AUTOTRIAGE_SESSION_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="cannot read"):
        Settings(_env_file=None)  # type: ignore[call-arg]
