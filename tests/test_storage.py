"""Migrations on SQLite and PostgreSQL: they build exactly the tables the code uses."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from autotriage.config import Settings
from autotriage.domain import intake
from autotriage.storage import migrate
from autotriage.storage.db import make_engine
from autotriage.storage.tables import Base

TABLES = {"tickets", "predictions", "field_predictions", "labels", "alembic_version"}
# Every table of tables.py must come from a migration; compare_metadata checks the rest.


def _check_roundtrip(url: str) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) >= TABLES
        assert migrate.current_revisions(engine) == migrate.head_revisions(url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"tables.py and the migrations disagree: {diff}"
        migrate.downgrade(url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(url)
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_migrations_on_sqlite(settings: Settings) -> None:
    _check_roundtrip(settings.resolved_database_url)


def test_sqlite_runs_in_wal_mode(migrated: Settings) -> None:
    engine = make_engine(migrated.resolved_database_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


@pytest.mark.postgres
def test_migrations_on_postgres(postgres_url: str) -> None:
    _check_roundtrip(postgres_url)


@pytest.mark.postgres
def test_intake_on_postgres(postgres_url: str) -> None:
    migrate.upgrade(postgres_url)
    engine = make_engine(postgres_url)
    from autotriage.storage.db import make_session_factory

    sessions = make_session_factory(engine)
    try:
        with sessions() as session:
            tickets = [intake.NewTicket("s", f"body {i}", external_id=f"E{i % 5}")
                       for i in range(8)]
            accepted = intake.submit(session, tickets, max_chars=100)
            session.commit()
        assert len({a.id for a in accepted}) == 5
        with sessions() as session:
            again = intake.submit(session, [intake.NewTicket("s", "b", external_id="E1")],
                                  max_chars=100)
            assert again[0].created is False
    finally:
        engine.dispose()


def test_migrations_end_in_one_head(settings: Settings) -> None:
    # Branches made side by side must be joined by a merge revision before they ship.
    assert len(migrate.head_revisions(settings.resolved_database_url)) == 1
