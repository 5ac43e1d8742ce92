import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from homeward.sessions.models import Attendance, AttendanceStatus
from tests.factories import Factories, StaffClient, login_as
from tests.sessions.helpers import NOW, audit_count, clinic, freeze
from tests.statements import count_queries

API = "/api/v1"


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def test_templates(clinician: StaffClient, app: FastAPI, factories: Factories) -> None:
    created = clinician.post(
        f"{API}/homework-templates",
        json={"title": "Meeting reflection", "instructions": "One line", "category": "reading"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["category"] == "reading"
    assert _problem(
        clinician.post(f"{API}/homework-templates", json={"title": "x", "category": "chores"}),
        422,
    )
    medical = login_as(app, factories, "medical")
    listed = medical.get(f"{API}/homework-templates", params={"category": "reading"}).json()
    assert created.json()["id"] in [t["id"] for t in listed["items"]]
    assert medical.post(f"{API}/homework-templates", json={}).status_code == 403


def test_assign_submit_review_through_the_api(
    clinician: StaffClient, factories: Factories, db: Session
) -> None:
    client = clinic(factories).enroll(factories)
    assigned = clinician.post(
        f"{API}/enrollments/{client.id}/homework",
        json={
            "title": "Relapse prevention plan",
            "instructions": "List three warning signs",
            "category": "relapse_prevention_plan",
        },
    )
    assert assigned.status_code == 201, assigned.text
    body = assigned.json()
    assert body["status"] == "assigned"
    assert body["due_at"] == "2026-03-03T15:00:00Z"  # tomorrow 09:00 in Chicago
    assert body["submitted_late"] is False
    url = f"{API}/homework/{body['id']}"

    patched = clinician.patch(url, json={"due_at": "2026-03-02T11:00:00+00:00"})
    assert patched.json()["due_at"] == "2026-03-02T11:00:00Z"
    assert _problem(clinician.patch(url, json={"due_at": "2026-03-02T13:00:00"}), 422)

    submitted = clinician.post(f"{url}/submit", json={"response": "Isolation, anger, skipping"})
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["submitted_late"] is True
    assert _problem(clinician.post(f"{url}/submit", json={"response": "x"}), 409)["type"] == (
        "/problems/homework-handed-in"
    )
    assert _problem(clinician.patch(url, json={"title": "x"}), 409)

    bad_outcome = clinician.post(f"{url}/review", json={"feedback": "ok", "outcome": "great"})
    assert _problem(bad_outcome, 422)
    reviewed = clinician.post(f"{url}/review", json={"feedback": "Good", "outcome": "accepted"})
    assert reviewed.json()["status"] == "reviewed"
    assert reviewed.json()["review_outcome"] == "accepted"
    again = clinician.post(f"{url}/review", json={"feedback": "Good", "outcome": "accepted"})
    assert _problem(again, 409)["type"] == "/problems/homework-not-submitted"

    assert clinician.get(url).json()["feedback"] == "Good"
    assert _problem(clinician.get(f"{API}/homework/{uuid.uuid4()}"), 404)
    missing = clinician.post(f"{API}/enrollments/{uuid.uuid4()}/homework", json={})
    assert _problem(missing, 404)["type"] == "/problems/enrollment-not-found"
    assert audit_count(db, "homework.read") == 1


def test_assign_to_session_attendees(clinician: StaffClient, factories: Factories) -> None:
    setup = clinic(factories)
    came, stayed_home = setup.enroll(factories), setup.enroll(factories)
    group = factories.session(setup.program, NOW - timedelta(hours=4), roster=[came, stayed_home])
    clinician.put(
        f"{API}/sessions/{group.id}/attendance",
        json=[
            {"enrollment_id": str(came.id), "status": "present"},
            {"enrollment_id": str(stayed_home.id), "status": "absent_unexcused"},
        ],
    )
    created = clinician.post(
        f"{API}/sessions/{group.id}/homework",
        json={"title": "Reflect on the meeting", "category": "meeting_reflection"},
    )
    assert created.status_code == 201, created.text
    assert [h["enrollment_id"] for h in created.json()] == [str(came.id)]
    empty = factories.session(setup.program, NOW - timedelta(days=1), roster=[came])
    nobody = clinician.post(f"{API}/sessions/{empty.id}/homework", json={"title": "x"})
    assert _problem(nobody, 422)["errors"][0]["loc"] == ["body", "category"]
    nobody = clinician.post(
        f"{API}/sessions/{empty.id}/homework", json={"title": "x", "category": "other"}
    )
    assert _problem(nobody, 409)["type"] == "/problems/no-attendees"
    unknown = clinician.post(
        f"{API}/sessions/{uuid.uuid4()}/homework", json={"title": "x", "category": "other"}
    )
    assert _problem(unknown, 404)


def test_list_filters_pagination_and_caseload(clinician: StaffClient, factories: Factories) -> None:
    setup = clinic(factories)
    mine = setup.enroll(factories, primary_clinician_id=clinician.user.id)
    theirs = setup.enroll(factories)
    for days in range(5):
        clinician.post(
            f"{API}/enrollments/{mine.id}/homework",
            json={
                "title": f"Day {days}",
                "category": "trigger_journal",
                "due_at": (NOW + timedelta(days=days - 2, hours=1)).isoformat(),
            },
        )
    clinician.post(
        f"{API}/enrollments/{theirs.id}/homework", json={"title": "t", "category": "reading"}
    )

    titles: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"caseload": "mine", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        response = clinician.get(f"{API}/homework", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        titles += [h["title"] for h in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert titles == [f"Day {n}" for n in range(5)]

    # The first two were due yesterday and the day before: missed.
    def listed(**params: Any) -> list[str]:
        response = clinician.get(f"{API}/homework", params=params)
        assert response.status_code == 200, response.text
        return [h["title"] for h in response.json()["items"]]

    assert listed(enrollment_id=str(mine.id), status="missed") == ["Day 0", "Day 1"]
    assert listed(enrollment_id=str(mine.id), status="assigned") == ["Day 2", "Day 3", "Day 4"]
    assert listed(
        enrollment_id=str(mine.id),
        due_from=(NOW - timedelta(days=1)).isoformat(),
        due_to=(NOW + timedelta(days=1)).isoformat(),
    ) == ["Day 1", "Day 2"]
    assert listed(enrollment_id=str(theirs.id)) == ["t"]
    assert _problem(clinician.get(f"{API}/homework", params={"status": "lost"}), 422)
    assert _problem(clinician.get(f"{API}/homework", params={"caseload": "yours"}), 422)


def _list_statements(
    clinician: StaffClient, factories: Factories, db: Session, enrollments: int, each: int
) -> int:
    setup = clinic(factories)
    for _ in range(enrollments):
        enrollment = setup.enroll(factories, primary_clinician_id=clinician.user.id)
        for n in range(each):
            clinician.post(
                f"{API}/enrollments/{enrollment.id}/homework",
                json={"title": f"H{n}", "category": "other"},
            )
    with count_queries(db) as statements:
        response = clinician.get(f"{API}/homework", params={"caseload": "mine"})
    assert len(response.json()["items"]) == enrollments * each
    return len(statements)


def test_list_takes_the_same_statements_for_any_page(
    app: FastAPI, factories: Factories, db: Session
) -> None:
    small = _list_statements(login_as(app, factories, "clinician"), factories, db, 1, 2)
    large = _list_statements(login_as(app, factories, "clinician"), factories, db, 6, 5)
    assert small == large


def test_roles(app: FastAPI, factories: Factories, db: Session) -> None:
    client = clinic(factories).enroll(factories)
    session = factories.session(
        clinic(factories).program, NOW - timedelta(hours=3), roster=[client]
    )
    db.add(
        Attendance(session_id=session.id, enrollment_id=client.id, status=AttendanceStatus.present)
    )
    medical = login_as(app, factories, "medical")
    intake = login_as(app, factories, "intake")
    assert medical.get(f"{API}/homework").status_code == 200
    assign = {"title": "x", "category": "other"}
    assert medical.post(f"{API}/enrollments/{client.id}/homework", json=assign).status_code == 403
    assert intake.get(f"{API}/homework").status_code == 403
    assert intake.post(f"{API}/sessions/{session.id}/homework", json=assign).status_code == 403


def test_due_range_without_offset_is_utc(clinician: StaffClient, factories: Factories) -> None:
    client = clinic(factories).enroll(factories)
    clinician.post(
        f"{API}/enrollments/{client.id}/homework",
        json={"title": "t", "category": "reading", "due_at": "2026-03-04T10:00:00Z"},
    )
    params = {"enrollment_id": str(client.id)}
    inside = clinician.get(f"{API}/homework", params={**params, "due_to": "2026-03-04T10:00:01"})
    assert len(inside.json()["items"]) == 1
    outside = clinician.get(f"{API}/homework", params={**params, "due_to": "2026-03-04T10:00:00"})
    assert outside.json()["items"] == []
    overflow = clinician.get(f"{API}/homework", params={"due_from": "9999-12-31T23:00:00-05:00"})
    assert _problem(overflow, 422)["errors"][0]["loc"] == ["query", "due_from"]
