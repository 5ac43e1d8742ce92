"""A clinic served the way production serves it: committed data, the server's own pool.

The rest of the suite runs in a rolled-back transaction, which the server's pool of
PostgreSQL connections cannot see; tests of what runs on that pool use this database
of their own instead.
"""

import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from homeward import migrate
from homeward.db import make_engine, make_session_factory
from homeward.settings import Settings
from tests.factories import TEST_PASSWORD, UTC_NOON, Factories


@dataclass
class Clinic:
    settings: Settings
    session: Session
    enrollment_id: uuid.UUID
    patient_id: uuid.UUID
    other_enrollment_id: uuid.UUID  # another patient's, in the same program
    treatment_session_id: uuid.UUID  # at UTC_NOON, both enrollments on its roster
    email: str


@pytest.fixture
def clinic(settings: Settings) -> Iterator[Clinic]:
    """A migrated database of its own: two committed enrollments, a session and a clinician."""
    if settings.is_sqlite:
        pytest.skip("the server's pool is PostgreSQL's; on SQLite requests use the Session")
    server = settings.database_url.rsplit("/", 1)[0]
    name = f"homeward_served_{secrets.token_hex(4)}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    own = settings.model_copy(update={"database_url": f"{server}/{name}"})
    engine = make_engine(own)
    try:
        migrate.upgrade(own)
        with make_session_factory(engine)() as db:
            factories = Factories(db)
            program = factories.program()
            factories.phase(program, [factories.slot(program)])
            enrollment = factories.enrollment(program)
            other = factories.enrollment(program)
            session = factories.session(program, UTC_NOON, roster=[enrollment, other])
            clinician = factories.user("clinician")
            db.commit()
            yield Clinic(
                own,
                db,
                enrollment.id,
                enrollment.patient_id,
                other.id,
                session.id,
                clinician.email,
            )
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def signed_in(client: TestClient, email: str) -> TestClient:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client
