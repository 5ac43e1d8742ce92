"""Migrations build the schema from empty and tear it down; models and migrations agree."""

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import homeward.models  # noqa: F401  (every table on the metadata)
from homeward import migrate
from homeward.db import Base, make_engine
from homeward.programs.models import Program
from homeward.sessions.models import Attendance, AttendanceStatus, RosterEntry
from homeward.settings import Settings
from homeward.tapering.models import Action, Mode, Recommendation
from tests.factories import Factories


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


def test_attendance_without_roster_entry_is_rostered_by_the_migration(
    scratch_settings: Settings,
) -> None:
    """Revision 0006 makes attendance reference the roster; a record made before it stays."""
    engine = make_engine(scratch_settings)
    try:
        migrate.upgrade(scratch_settings, "0005")
        with Session(engine) as db:
            factories = Factories(db)
            program = factories.program()
            enrollment = factories.enrollment(program)
            session = factories.session(program, datetime(2026, 3, 2, 15, tzinfo=UTC))
            db.add(
                Attendance(
                    session_id=session.id,
                    enrollment_id=enrollment.id,
                    status=AttendanceStatus.present,
                    minutes_attended=180,
                )
            )
            db.commit()
            session_id, enrollment_id, program_id = session.id, enrollment.id, program.id

        migrate.upgrade(scratch_settings)

        with Session(engine) as db:
            rostered = db.scalars(
                select(RosterEntry.enrollment_id).where(RosterEntry.session_id == session_id)
            ).all()
            assert rostered == [enrollment_id]
            kept = db.get(Attendance, (session_id, enrollment_id))
            assert kept is not None and kept.minutes_attended == 180
            # From now on the database itself refuses a record with no roster entry.
            stranger = Factories(db).enrollment(db.get_one(Program, program_id))
            db.add(
                Attendance(
                    session_id=session_id,
                    enrollment_id=stranger.id,
                    status=AttendanceStatus.present,
                )
            )
            with pytest.raises(IntegrityError):
                db.flush()
    finally:
        engine.dispose()


def _recommendation(enrollment_id: uuid.UUID, program_id: uuid.UUID) -> Recommendation:
    return Recommendation(
        enrollment_id=enrollment_id,
        program_id=program_id,
        rule_name="look",
        rule_set_version=1,
        action=Action.review,
        mode=Mode.recommend,
        evidence=[],
        as_of=date(2026, 3, 2),
        enrollment_fingerprint="-",
    )


def test_recommendation_program_follows_its_enrollment_after_the_migration(
    scratch_settings: Settings,
) -> None:
    """Revision 0008 references the enrollment and its program together."""
    engine = make_engine(scratch_settings)
    try:
        migrate.upgrade(scratch_settings, "0007")
        with Session(engine) as db:
            factories = Factories(db)
            program, elsewhere = factories.program(), factories.program()
            enrollment = factories.enrollment(program)
            # Before the migration nothing tied the two columns together.
            stray = _recommendation(enrollment.id, elsewhere.id)
            db.add(stray)
            db.commit()
            stray_id, enrollment_id = stray.id, enrollment.id
            program_id, elsewhere_id = program.id, elsewhere.id

        migrate.upgrade(scratch_settings)

        with Session(engine) as db:
            assert db.get_one(Recommendation, stray_id).program_id == program_id
            db.add(_recommendation(enrollment_id, elsewhere_id))
            with pytest.raises(IntegrityError):
                db.flush()
    finally:
        engine.dispose()


def test_attendance_key_carries_what_the_metrics_count(engine: Engine) -> None:
    """PostgreSQL reads a window's records from the key's index alone (revision 0009)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("INCLUDE columns are a PostgreSQL index feature")
    with engine.connect() as connection:
        definition = connection.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'pk_attendance'")
        ).scalar_one()
    assert definition.endswith("(session_id, enrollment_id) INCLUDE (status, minutes_attended)")


def test_homework_enrollment_index_covers_the_metrics(engine: Engine) -> None:
    """A cohort's homework over a window is read from the index alone (revision 0010)."""
    [index] = [
        each
        for each in inspect(engine).get_indexes("homework")
        if each["name"] == "ix_homework_enrollment_id_due_at"
    ]
    assert index["column_names"] == ["enrollment_id", "due_at", "status", "submitted_at"]
