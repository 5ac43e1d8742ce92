"""Migrations build the schema from empty and tear it down; models and migrations agree."""

import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import homeward.models  # noqa: F401  (every table on the metadata)
from homeward import migrate
from homeward.audit.chain import GENESIS_HASH, canonical_json, new_event_id, verify_chain
from homeward.audit.models import AuditEvent
from homeward.audit.service import list_events
from homeward.db import Base, make_engine
from homeward.pagination import PageParams
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


def test_listed_ids_keep_their_values_and_hashes_as_uuid_arrays(
    scratch_settings: Settings,
) -> None:
    """Revision 0025 turns the JSONB ids of a list's event into `uuid[]` on PostgreSQL: events
    linked before it read back the same, still verify, and are still found by patient."""
    patient, sessions = uuid.uuid4(), sorted((uuid.uuid4() for _ in range(3)), key=str)
    listed = {"patient_ids": [str(patient)], "resource_ids": [str(one) for one in sessions]}
    engine = make_engine(scratch_settings)
    try:
        migrate.upgrade(scratch_settings, "0024_session_list_disclosures")
        with engine.begin() as connection:
            _link_by_hand(connection, listed)
        migrate.upgrade(scratch_settings)
        with Session(engine) as db:
            assert list(verify_chain(db)) == []
            events = db.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
            assert [(e.patient_ids, e.resource_ids) for e in events] == [
                (listed["patient_ids"], None),
                (None, listed["resource_ids"]),
                ([], []),
                (None, None),
            ]
            found = list_events(db, PageParams(), patient_id=patient).items
            assert [event.action for event in found] == ["patient.list"]
    finally:
        engine.dispose()


def _link_by_hand(connection: Connection, listed: dict[str, list[str]]) -> None:
    """Four events as revision 0024 held them (JSONB ids), linked as the sealer links them."""
    prev_hash = GENESIS_HASH
    kinds = [
        ("patient.list", {"patient_ids": listed["patient_ids"]}),
        ("session.list", {"resource_ids": listed["resource_ids"]}),
        ("session.list", {"patient_ids": [], "resource_ids": []}),
        ("patient.read", {}),
    ]
    for seq, (action, ids) in enumerate(kinds, start=1):
        event: dict[str, Any] = {
            "id": str(new_event_id()),
            "seq": seq,
            "occurred_at": datetime(2026, 12, 1, 9, seq, tzinfo=UTC),
            "actor_type": "system",
            "actor_id": None,
            "action": action,
            "resource_type": action.split(".")[0],
            "resource_id": None,
            "patient_id": None,
            "outcome": "success",
            "ip": None,
            "request_id": None,
            "detail": None,
            "prev_hash": prev_hash,
            **ids,
        }
        hashed = {**event, "occurred_at": event["occurred_at"].isoformat()}
        event["hash"] = prev_hash = hashlib.sha256(canonical_json(hashed)).hexdigest()
        values = {**event, **{name: json.dumps(value) for name, value in ids.items()}}
        columns = ", ".join(values)
        connection.execute(
            text(f"INSERT INTO audit_events ({columns}) VALUES (:{', :'.join(values)})"), values
        )
