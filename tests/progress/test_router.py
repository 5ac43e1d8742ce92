"""GET /enrollments/{id}/progress: weekly values, current metrics, audit, query count."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward.audit.models import AuditEvent
from homeward.homework.models import HomeworkStatus
from tests.factories import Factories, StaffClient
from tests.statements import count_queries
from tests.tapering.helpers import AS_OF, clinic, enroll, event, freeze, homework, local, session

# AS_OF is a Friday: its week starts on Monday the 23rd.
THIS_MONDAY = date(2026, 2, 23)


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


def test_weekly_progress_and_current_metrics(
    clinician: StaffClient, db: Session, factories: Factories
) -> None:
    place = clinic(factories)
    # Phase 1 (5 slots, 15 h) until the 18th, then phase 2 (3 slots, 9 h).
    enrollment = enroll(factories, place, phase=2, phase_started_on=date(2026, 2, 18))
    last_week = THIS_MONDAY - timedelta(days=7)
    session(factories, place, enrollment, last_week, "present")
    session(factories, place, enrollment, last_week + timedelta(days=1), "late")
    session(factories, place, enrollment, last_week + timedelta(days=2), "absent_excused")
    session(factories, place, enrollment, last_week + timedelta(days=3), None)
    session(factories, place, enrollment, last_week + timedelta(days=4), "absent_unexcused")
    session(factories, place, enrollment, THIS_MONDAY, "present")
    session(factories, place, enrollment, AS_OF, None, hour=19, minutes=120)  # not ended yet
    homework(db, enrollment, local(last_week, 9), HomeworkStatus.reviewed, local(last_week, 8))
    homework(db, enrollment, local(last_week + timedelta(days=1), 9))
    event(db, enrollment, last_week + timedelta(days=2), "drug_screen", "positive")

    response = clinician.get(f"/api/v1/enrollments/{enrollment.id}/progress", params={"weeks": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [week["week_start"] for week in body["weeks"]] == [
        (THIS_MONDAY - timedelta(days=14)).isoformat(),
        last_week.isoformat(),
        THIS_MONDAY.isoformat(),
    ]
    before, last, this = body["weeks"]
    assert before["phase_id"] == str(place.phases[0].id)
    assert before["planned_hours_per_week"] == 15 and before["level_hours_min"] == 9
    assert before["hours_scheduled"] == 0 and before["attendance_rate"] is None
    assert last["phase_name"] == "Phase 2" and last["planned_hours_per_week"] == 9
    assert last["hours_scheduled"] == 15
    assert last["hours_attended"] == 5.5  # 180 + 150 minutes
    assert last["attendance_rate"] == pytest.approx(2 / 3)
    assert last["unrecorded_sessions"] == 1
    assert (last["homework_due"], last["homework_completed"]) == (2, 1)
    assert [(e["kind"], e["result"]) for e in last["events"]] == [("drug_screen", "positive")]
    assert this["hours_scheduled"] == 5 and this["hours_attended"] == 3
    assert this["attendance_rate"] == 1.0

    current = {(m["metric"], m["window_days"]): m["value"] for m in body["current"]["metrics"]}
    assert body["current"]["as_of"] == AS_OF.isoformat()
    assert current[("attendance_rate", 14)] == pytest.approx(3 / 4)
    assert current[("unexcused_absences", 7)] == 0
    assert current[("unexcused_absences", 14)] == 1
    assert current[("relapse_events", 14)] == 1
    assert current[("days_since_last_use", None)] == (AS_OF - last_week).days - 2
    assert current[("days_in_phase", None)] == 9
    assert current[("homework_completion_rate", 7)] is None
    assert body["current"]["unrecorded_sessions"] == 1

    audit = db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "progress.read", AuditEvent.resource_id == str(enrollment.id)
        )
    )
    assert audit is not None and audit.patient_id == enrollment.patient_id


def test_query_count_is_constant_in_history(
    clinician: StaffClient, db: Session, factories: Factories
) -> None:
    place = clinic(factories)
    counts = []
    for days in (3, 40):
        enrollment = enroll(factories, place)
        for offset in range(days):
            day = AS_OF - timedelta(days=offset)
            session(factories, place, enrollment, day, "present")
            homework(db, enrollment, local(day, 9))
            event(db, enrollment, day, "crisis")
        with count_queries(db) as statements:
            response = clinician.get(f"/api/v1/enrollments/{enrollment.id}/progress")
        assert response.status_code == 200
        assert sum(week["homework_due"] for week in response.json()["weeks"]) == days
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_roles_and_missing_enrollment(
    viewer: StaffClient, clinician: StaffClient, factories: Factories
) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    assert viewer.get(f"/api/v1/enrollments/{enrollment.id}/progress").status_code == 403
    url = "/api/v1/enrollments/00000000-0000-0000-0000-000000000000/progress"
    assert clinician.get(url).status_code == 404
    bad = clinician.get(f"/api/v1/enrollments/{enrollment.id}/progress", params={"weeks": 53})
    assert bad.status_code == 422
