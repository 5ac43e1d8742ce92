"""A list's audit event names every patient it showed; a refusal names what it aimed at."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session

from homeward import clock
from homeward.enrollments.models import Enrollment
from homeward.homework.models import Homework, HomeworkCategory
from homeward.sessions.models import Attendance, AttendanceStatus
from homeward.tapering.models import Action, Mode, Recommendation
from tests.factories import Factories, StaffClient, login_as


def _events(admin: StaffClient, **params: str) -> list[dict[str, Any]]:
    response = admin.get("/api/v1/audit-events", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def _listed(admin: StaffClient, action: str, patient: Any) -> list[list[str]]:
    """The `patient_ids` of each `action` event `?patient_id=` finds for `patient`."""
    return [
        event["patient_ids"]
        for event in _events(admin, patient_id=str(patient.id))
        if event["action"] == action
    ]


def _two_enrollments(factories: Factories) -> tuple[list[Enrollment], Any]:
    program = factories.program()
    factories.phase(program, [factories.slot(program)])
    return [factories.enrollment(program) for _ in range(2)], program


def test_patient_and_enrollment_lists_name_their_patients(
    admin: StaffClient, clinician: StaffClient, factories: Factories
) -> None:
    enrollments, program = _two_enrollments(factories)
    patients = sorted(str(e.patient_id) for e in enrollments)

    assert clinician.get("/api/v1/patients").status_code == 200
    assert (
        clinician.get("/api/v1/enrollments", params={"program_id": str(program.id)}).status_code
        == 200
    )
    for enrollment in enrollments:
        assert _listed(admin, "patient.list", enrollment.patient) == [patients]
        assert _listed(admin, "enrollment.list", enrollment.patient) == [patients]


def test_a_list_names_only_the_patients_of_the_page_it_showed(
    admin: StaffClient, clinician: StaffClient, factories: Factories
) -> None:
    enrollments, program = _two_enrollments(factories)
    # Newest first: the page of one shows the second; the first is read only to know
    # that more follow.
    page = clinician.get(
        "/api/v1/enrollments", params={"program_id": str(program.id), "limit": 1}
    ).json()
    assert page["next_cursor"] and page["items"][0]["id"] == str(enrollments[1].id)
    assert _listed(admin, "enrollment.list", enrollments[1].patient) == [
        [str(enrollments[1].patient_id)]
    ]
    assert _listed(admin, "enrollment.list", enrollments[0].patient) == []
    [event] = [e for e in _events(admin) if e["action"] == "enrollment.list"]
    assert event["detail"] == {"count": 1}


def test_sessions_attendance_homework_and_recommendations_name_their_patients(
    admin: StaffClient, clinician: StaffClient, factories: Factories, db: Session
) -> None:
    enrollments, program = _two_enrollments(factories)
    patients = sorted(str(e.patient_id) for e in enrollments)
    starts_at = clock.now().replace(microsecond=0) - timedelta(days=1)
    session = factories.session(program, starts_at, roster=enrollments)
    for enrollment in enrollments:
        db.add(
            Attendance(
                session_id=session.id,
                enrollment_id=enrollment.id,
                status=AttendanceStatus.present,
                minutes_attended=180,
                recorded_at=datetime.now(UTC),
            )
        )
        db.add(
            Homework(
                enrollment_id=enrollment.id,
                title="Journal",
                category=HomeworkCategory.trigger_journal,
                due_at=starts_at,
            )
        )
        db.add(
            Recommendation(
                enrollment_id=enrollment.id,
                program_id=program.id,
                rule_name="review",
                rule_set_version=1,
                action=Action.review,
                mode=Mode.recommend,
                evidence=[],
                as_of=date(2026, 1, 19),
                enrollment_fingerprint="test",
            )
        )
    db.flush()

    assert clinician.get(f"/api/v1/sessions/{session.id}").status_code == 200
    assert clinician.get(f"/api/v1/sessions/{session.id}/attendance").status_code == 200
    listed = clinician.get("/api/v1/sessions", params={"program_id": str(program.id)})
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1
    # Saving one record answers with all of the session's: the event names both patients.
    saved = clinician.put(
        f"/api/v1/sessions/{session.id}/attendance",
        json=[{"enrollment_id": str(enrollments[0].id), "status": "late", "minutes_attended": 60}],
    )
    assert saved.status_code == 200 and len(saved.json()) == 2, saved.text
    assert clinician.get("/api/v1/homework").status_code == 200
    assert clinician.get("/api/v1/tapering/recommendations").status_code == 200
    actions = (
        "session.read",
        "session.list",
        "attendance.read",
        "attendance.write",
        "homework.list",
        "recommendation.list",
    )
    for enrollment in enrollments:
        for action in actions:
            assert _listed(admin, action, enrollment.patient) == [patients], action


def test_an_empty_list_names_no_patient(admin: StaffClient, clinician: StaffClient) -> None:
    assert clinician.get("/api/v1/patients", params={"q": "nobody-by-this-name"}).status_code == 200
    [event] = [e for e in _events(admin) if e["action"] == "patient.list"]
    assert event["patient_ids"] == []


def test_a_refusal_names_the_resource_and_patient_it_aimed_at(
    app: FastAPI, admin: StaffClient, factories: Factories
) -> None:
    enrollments, program = _two_enrollments(factories)
    session = factories.session(program, clock.now(), roster=enrollments)
    intake = login_as(app, factories, "intake")
    viewer = login_as(app, factories, "viewer")
    enrollment = enrollments[0]

    assert intake.get(f"/api/v1/enrollments/{enrollment.id}/events").status_code == 403
    assert viewer.get(f"/api/v1/patients/{enrollment.patient_id}").status_code == 403
    assert viewer.get(f"/api/v1/sessions/{session.id}").status_code == 403

    [aimed] = [e for e in _events(admin, actor_id=str(intake.user.id)) if e["outcome"] == "denied"]
    assert aimed["action"].endswith("/enrollments/{enrollment_id}/events")
    assert (aimed["resource_type"], aimed["resource_id"]) == ("enrollment", str(enrollment.id))
    assert aimed["patient_id"] == str(enrollment.patient_id)
    assert aimed["detail"] == {"status": 403}

    by_viewer = _events(admin, actor_id=str(viewer.user.id), patient_id=str(enrollment.patient_id))
    refused = {
        (e["resource_type"], e["resource_id"]) for e in by_viewer if e["outcome"] == "denied"
    }
    assert refused == {("patient", str(enrollment.patient_id)), ("session", str(session.id))}
