"""A session list's event, and an attendance event, names its sessions; the accounting
finds their patients on the rosters as they stood when it was read, whatever rostering
did afterwards."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.chain import verify_chain
from homeward.audit.models import AuditEvent
from homeward.enrollments.models import Enrollment, EnrollmentStatus
from homeward.sessions.models import RosterEntry
from homeward.sessions.rostering import future_sessions_of, sync_rosters, these_sessions
from tests.factories import Factories, StaffClient

START = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> dict[str, datetime]:
    """The clinic's clock, moved on by the test."""
    now = {"now": START}
    monkeypatch.setattr(clock, "now", lambda: now["now"])
    return now


def _accounted(
    admin: StaffClient, patient: Enrollment, action: str = "session.list"
) -> list[list[str]]:
    """The `patient_ids` of each `action` event `?patient_id=` finds, newest first."""
    response = admin.get(
        "/api/v1/audit-events", params={"patient_id": str(patient.patient_id), "limit": 200}
    )
    assert response.status_code == 200, response.text
    return [e["patient_ids"] for e in response.json()["items"] if e["action"] == action]


def test_a_session_list_is_accounted_to_the_roster_it_saw(
    admin: StaffClient,
    clinician: StaffClient,
    factories: Factories,
    db: Session,
    at: dict[str, datetime],
) -> None:
    program = factories.program()
    slot = factories.slot(program, weekday=2, start=time(9), end=time(12))
    phase = factories.phase(program, [slot])
    leaves, stays = factories.enrollment(program, phase), factories.enrollment(program, phase)
    upcoming = factories.session(program, START + timedelta(days=2), slot=slot)
    sync_rosters(db, these_sessions([upcoming.id]))

    at["now"] += timedelta(minutes=1)
    first = clinician.get("/api/v1/sessions", params={"program_id": str(program.id)})
    assert first.status_code == 200 and first.json()["items"][0]["roster_size"] == 2

    # Afterwards one client is put on hold, leaving the roster, and another arrives.
    at["now"] += timedelta(minutes=1)
    leaves.status = EnrollmentStatus.on_hold
    arrives = factories.enrollment(program, phase)
    db.flush()
    sync_rosters(db, future_sessions_of([leaves.id, arrives.id], at["now"]))
    at["now"] += timedelta(minutes=1)
    second = clinician.get("/api/v1/sessions", params={"program_id": str(program.id)})
    assert second.status_code == 200 and second.json()["items"][0]["roster_size"] == 2

    before, after = _ids(leaves, stays), _ids(stays, arrives)
    assert _accounted(admin, leaves) == [before]
    assert _accounted(admin, stays) == [after, before]
    assert _accounted(admin, arrives) == [after]

    # The events hold the sessions, not the patients, and stay sealed as they were.
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "session.list")).all()
    assert [(e.patient_ids, e.resource_ids) for e in events] == [(None, [str(upcoming.id)])] * 2
    assert list(verify_chain(db)) == []
    # The sessions named are covered by the chain like everything else on the event.
    db.execute(update(AuditEvent).where(AuditEvent.id == events[0].id).values(resource_ids=[]))
    db.refresh(events[0])
    assert events[0].seq in [broken.seq for broken in verify_chain(db)]


def test_a_list_of_no_sessions_names_nobody(
    admin: StaffClient, clinician: StaffClient, factories: Factories
) -> None:
    program = factories.program()
    enrollment = factories.enrollment(program)
    answer = clinician.get("/api/v1/sessions", params={"program_id": str(program.id)})
    assert answer.status_code == 200 and answer.json()["items"] == []
    response = admin.get("/api/v1/audit-events", params={"resource_type": "session"})
    [event] = [e for e in response.json()["items"] if e["action"] == "session.list"]
    assert (event["resource_ids"], event["patient_ids"]) == ([], [])
    assert _accounted(admin, enrollment) == []


def test_an_attendance_event_is_accounted_to_the_roster_it_was_saved_for(
    admin: StaffClient,
    clinician: StaffClient,
    factories: Factories,
    db: Session,
    at: dict[str, datetime],
) -> None:
    program = factories.program()
    marked, unmarked, later = (factories.enrollment(program) for _ in range(3))
    group = factories.session(program, START - timedelta(hours=4), roster=[marked, unmarked])
    url = f"/api/v1/sessions/{group.id}/attendance"

    saved = clinician.put(url, json=[{"enrollment_id": str(marked.id), "status": "present"}])
    assert saved.status_code == 200 and len(saved.json()) == 1, saved.text
    # Someone put on the roster after the save was not part of what it answered.
    at["now"] += timedelta(minutes=1)
    db.add(RosterEntry(session_id=group.id, enrollment_id=later.id, added_at=at["now"]))
    db.flush()
    assert clinician.get(url).status_code == 200

    # The events name the session; the roster it had names its patients, recorded or not.
    events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.startswith("attendance."))
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.patient_ids, e.resource_ids) for e in events] == [
        ("attendance.write", None, [str(group.id)]),
        ("attendance.read", None, [str(group.id)]),
    ]
    roster_then, roster_now = _ids(marked, unmarked), _ids(marked, unmarked, later)
    for enrollment in (marked, unmarked):
        assert _accounted(admin, enrollment, "attendance.write") == [roster_then]
        assert _accounted(admin, enrollment, "attendance.read") == [roster_now]
    assert _accounted(admin, later, "attendance.write") == []
    assert _accounted(admin, later, "attendance.read") == [roster_now]


def _ids(*enrollments: Enrollment) -> list[str]:
    return sorted(str(e.patient_id) for e in enrollments)
