"""Migrations build the schema from empty and tear it down; models and migrations agree."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

import homeward.models  # noqa: F401  (every table on the metadata)
from homeward import migrate
from homeward.db import Base
from homeward.settings import Settings


@pytest.fixture
def scratch_settings(tmp_path: Path) -> Iterator[Settings]:
    """A database of its own, empty, so upgrade and downgrade run from scratch."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield Settings(environment="test", database_url=f"sqlite:///{tmp_path / 'scratch.db'}")
        return
    name = f"homeward_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        scratch_url = make_url(url).set(database=name).render_as_string(hide_password=False)
        yield Settings(environment="test", database_url=scratch_url)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_from_empty_then_downgrade_to_base(scratch_settings: Settings) -> None:
    engine = create_engine(scratch_settings.database_url)
    try:
        migrate.upgrade(scratch_settings)
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        migrate.downgrade(scratch_settings, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(scratch_settings)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"models differ from migrations: {differences}"
