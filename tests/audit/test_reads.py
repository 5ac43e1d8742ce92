"""Audited reads: a row and its audit event, written by one statement on PostgreSQL.

The rest of the suite runs in a rolled-back transaction, which the server's pool of
read connections cannot see; so these tests serve the app on a database of their
own, with committed data, the way it runs in production.
"""

import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward.audit.models import AuditEvent
from homeward.audit.reads import SessionReads
from homeward.audit.service import Actor
from homeward.db import make_engine, make_session_factory
from homeward.enrollments import service
from homeward.main import create_app
from tests.served_clinic import Clinic, clinic, signed_in

__all__ = ["clinic"]  # the fixture, used by name


async def _session_settings(app: FastAPI) -> tuple[str, str]:
    """What a pooled connection was set up with: UTC, and index reads priced as on SSDs."""
    async with app.state.read_pool.connection() as connection:
        cursor = await connection.execute(
            "SELECT current_setting('TimeZone'), current_setting('random_page_cost')"
        )
        row = await cursor.fetchone()
    assert row is not None
    return row[0], row[1]


def _read_events(db: Session, action: str = "enrollment.read") -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def test_the_served_read_answers_as_the_session_read_and_leaves_one_event(clinic: Clinic) -> None:
    pooled_app = create_app(clinic.settings)
    session_app = create_app(clinic.settings.model_copy(update={"read_pool_size": 0}))
    path = f"/api/v1/enrollments/{clinic.enrollment_id}"
    with TestClient(pooled_app) as pooled, TestClient(session_app) as plain:
        assert pooled_app.state.read_pool is not None
        assert session_app.state.read_pool is None
        assert pooled.portal is not None
        assert pooled.portal.call(_session_settings, pooled_app) == ("UTC", "1.1")
        pooled_answer = signed_in(pooled, clinic.email).get(path)
        plain_answer = signed_in(plain, clinic.email).get(path)

    assert pooled_answer.status_code == 200, pooled_answer.text
    assert pooled_answer.json() == plain_answer.json()
    assert pooled_answer.headers["ETag"] == plain_answer.headers["ETag"] == '"1"'
    events = _read_events(clinic.session)
    assert len(events) == 2
    request_ids = {pooled_answer.headers["X-Request-ID"], plain_answer.headers["X-Request-ID"]}
    assert {event.request_id for event in events} == request_ids
    for event in events:
        assert event.actor_type == "user"
        assert event.actor_id is not None
        assert event.resource_type == "enrollment"
        assert event.resource_id == str(clinic.enrollment_id)
        assert event.patient_id == clinic.patient_id
        assert event.outcome == "success"
        assert event.seq is None  # linked into the chain later, as every new event is


def test_a_read_that_finds_nothing_records_nothing(clinic: Clinic) -> None:
    app = create_app(clinic.settings)
    with TestClient(app) as client:
        response = signed_in(client, clinic.email).get(f"/api/v1/enrollments/{uuid.uuid4()}")
    assert response.status_code == 404
    assert _read_events(clinic.session) == []


def test_the_session_read_commits_the_row_and_its_event_together(clinic: Clinic) -> None:
    actor = Actor("system")
    with make_session_factory(make_engine(clinic.settings))() as db:
        read = SessionReads(db).one_now(
            service._READ_ONE, actor, {"enrollment_id": clinic.enrollment_id}
        )
        assert not db.in_transaction()
    assert read is not None and read["id"] == clinic.enrollment_id
    [event] = _read_events(clinic.session)
    assert (event.actor_type, event.patient_id) == ("system", clinic.patient_id)


@pytest.mark.parametrize(
    ("path", "action", "shown", "about_patient"),
    [
        ("/api/v1/enrollments?status=active", "enrollment.list", 2, False),
        ("/api/v1/enrollments?limit=1", "enrollment.list", 1, False),
        ("/api/v1/enrollments?patient_id={patient_id}", "enrollment.list", 1, True),
        ("/api/v1/sessions?from=2026-03-02T00:00:00", "session.list", 1, False),
        ("/api/v1/sessions?from=2027-01-01T00:00:00", "session.list", 0, False),
    ],
)
def test_a_served_list_answers_as_the_session_list_and_leaves_one_event(
    clinic: Clinic, path: str, action: str, shown: int, about_patient: bool
) -> None:
    pooled_app = create_app(clinic.settings)
    session_app = create_app(clinic.settings.model_copy(update={"read_pool_size": 0}))
    path = path.format(patient_id=clinic.patient_id)
    with TestClient(pooled_app) as pooled, TestClient(session_app) as plain:
        pooled_answer = signed_in(pooled, clinic.email).get(path)
        plain_answer = signed_in(plain, clinic.email).get(path)

    assert pooled_answer.status_code == 200, pooled_answer.text
    assert pooled_answer.json() == plain_answer.json()
    assert len(pooled_answer.json()["items"]) == shown
    # A page cut short says where the next one starts, on both paths alike.
    assert (pooled_answer.json()["next_cursor"] is not None) == ("limit=1" in path)
    events = _read_events(clinic.session, action)
    assert len(events) == 2
    for event in events:
        assert (event.actor_type, event.resource_type, event.outcome) == (
            "user",
            action.split(".")[0],
            "success",
        )
        assert event.resource_id is None
        assert event.detail == {"count": shown}
        assert event.patient_id == (clinic.patient_id if about_patient else None)
    # Both name the patients of the rows shown (and not of the one read past the page).
    pooled_event, plain_event = events
    assert pooled_event.patient_ids == plain_event.patient_ids
    assert pooled_event.resource_ids == plain_event.resource_ids
    if action == "enrollment.list":
        shown_patients = {item["patient_id"] for item in pooled_answer.json()["items"]}
        assert pooled_event.patient_ids == sorted(shown_patients)
        assert pooled_event.resource_ids is None
    else:  # a session list names its sessions; their rosters name the patients
        shown_sessions = sorted(item["id"] for item in pooled_answer.json()["items"])
        assert pooled_event.resource_ids == shown_sessions
        assert pooled_event.patient_ids is None
