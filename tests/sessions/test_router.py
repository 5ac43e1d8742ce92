import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from homeward.programs.models import SessionType
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


def test_generate_through_the_api(clinician: StaffClient, factories: Factories) -> None:
    setup = clinic(factories)
    client = setup.enroll(factories)
    url = f"{API}/programs/{setup.program.id}/schedule/generate"

    first = clinician.post(url, json={"from": "2026-03-09", "to": "2026-03-15"})
    assert first.status_code == 200, first.text
    assert first.json() == {"created": 2, "existing": 0, "rostered": 2}
    again = clinician.post(url, json={"from": "2026-03-09", "to": "2026-03-15"})
    assert again.json() == {"created": 0, "existing": 2, "rostered": 0}

    listed = clinician.get(f"{API}/sessions", params={"enrollment_id": str(client.id)}).json()
    assert [s["starts_at"] for s in listed["items"]] == [
        "2026-03-09T14:00:00Z",  # 09:00 CDT
        "2026-03-11T23:00:00Z",  # 18:00 CDT
    ]

    too_long = clinician.post(url, json={"from": "2026-03-01", "to": "2026-12-01"})
    assert _problem(too_long, 422)["errors"][0]["loc"] == ["body", "to"]
    assert _problem(clinician.post(url, json={"from": "2026-03-01"}), 422)["errors"]
    unknown = clinician.post(
        f"{API}/programs/{uuid.uuid4()}/schedule/generate",
        json={"from": "2026-03-09", "to": "2026-03-15"},
    )
    assert _problem(unknown, 404)["type"] == "/problems/program-not-found"


def test_session_lifecycle(clinician: StaffClient, factories: Factories, db: Session) -> None:
    setup = clinic(factories)
    client = setup.enroll(
        factories, patient=factories.patient(given_name="Sam", family_name="Reyes")
    )
    starts = NOW + timedelta(days=1)
    created = clinician.post(
        f"{API}/sessions",
        json={
            "program_id": str(setup.program.id),
            "session_type": "family",
            "title": "Family session",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(minutes=90)).isoformat(),
            "facilitator_id": str(clinician.user.id),
            "room": "Family room",
            "roster": [str(client.id)],
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "scheduled" and body["slot_id"] is None
    assert body["roster"] == [
        {
            "enrollment_id": str(client.id),
            "patient_id": str(client.patient_id),
            "patient_name": "Sam Reyes",
            "attendance_status": None,
            "minutes_attended": None,
        }
    ]
    url = f"{API}/sessions/{body['id']}"

    clash = clinician.post(
        f"{API}/sessions",
        json={
            **{k: body[k] for k in ("program_id", "session_type", "title", "facilitator_id")},
            "starts_at": (starts + timedelta(minutes=60)).isoformat(),
            "ends_at": (starts + timedelta(minutes=120)).isoformat(),
        },
    )
    assert _problem(clash, 409)["type"] == "/problems/facilitator-busy"

    patched = clinician.patch(url, json={"title": "Family program", "room": None})
    assert patched.status_code == 200
    assert (patched.json()["title"], patched.json()["room"]) == ("Family program", None)
    assert _problem(clinician.patch(url, json={"colour": "red"}), 422)

    note = clinician.put(f"{url}/group-note", json={"note": "Parents joined."})
    assert note.json()["group_note"] == "Parents joined."
    assert _problem(clinician.put(f"{url}/group-note", json={"note": "again"}), 409)

    cancelled = clinician.post(f"{url}/cancel", json={"reason": "Family travelling"})
    assert cancelled.json()["status"] == "cancelled"
    assert _problem(clinician.post(f"{url}/cancel", json={"reason": "x"}), 409)["type"] == (
        "/problems/session-cancelled"
    )
    assert _problem(clinician.post(f"{url}/cancel", json={}), 422)

    assert clinician.get(url).json()["cancel_reason"] == "Family travelling"
    assert _problem(clinician.get(f"{API}/sessions/{uuid.uuid4()}"), 404)
    assert audit_count(db, "session.read") == 1


def test_attendance_through_the_api(
    clinician: StaffClient, factories: Factories, db: Session
) -> None:
    setup = clinic(factories)
    a, b = setup.enroll(factories), setup.enroll(factories)
    outsider = setup.enroll(factories)
    done = factories.session(setup.program, NOW - timedelta(hours=3), minutes=120, roster=[a, b])
    url = f"{API}/sessions/{done.id}/attendance"

    saved = clinician.put(
        url,
        json=[
            {"enrollment_id": str(a.id), "status": "present"},
            {"enrollment_id": str(b.id), "status": "left_early", "minutes_attended": 60},
        ],
    )
    assert saved.status_code == 200, saved.text
    assert {(r["status"], r["minutes_attended"]) for r in saved.json()} == {
        ("present", 120),
        ("left_early", 60),
    }
    assert saved.json()[0]["recorded_by_id"] == str(clinician.user.id)
    assert audit_count(db, "attendance.write") == 1

    roster = clinician.get(f"{API}/sessions/{done.id}").json()["roster"]
    assert {(r["enrollment_id"], r["attendance_status"]) for r in roster} == {
        (str(a.id), "present"),
        (str(b.id), "left_early"),
    }
    assert len(clinician.get(url).json()) == 2

    stranger = clinician.put(url, json=[{"enrollment_id": str(outsider.id), "status": "present"}])
    assert _problem(stranger, 422)["errors"][0]["loc"] == ["body", 0, "enrollment_id"]
    assert _problem(clinician.put(url, json={}), 422)
    assert _problem(clinician.put(url, json=[{"enrollment_id": str(a.id), "status": "x"}]), 422)

    upcoming = factories.session(setup.program, NOW + timedelta(hours=1), roster=[a])
    early = clinician.put(
        f"{API}/sessions/{upcoming.id}/attendance",
        json=[{"enrollment_id": str(a.id), "status": "present"}],
    )
    assert _problem(early, 422)["type"] == "/problems/session-not-started"


def test_list_filters_and_pagination(clinician: StaffClient, factories: Factories) -> None:
    setup = clinic(factories)
    other = clinic(factories)
    client = setup.enroll(factories)
    for day in range(5):
        factories.session(setup.program, NOW + timedelta(days=day), slot=setup.monday)
    factories.session(
        setup.program,
        NOW + timedelta(days=1, hours=1),
        roster=[client],
        session_type=SessionType.medical,
        facilitator_id=clinician.user.id,
    )
    factories.session(other.program, NOW + timedelta(days=1))

    mine = {"program_id": str(setup.program.id)}
    seen: list[str] = []
    cursor = None
    while True:
        params = {**mine, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = clinician.get(f"{API}/sessions", params=params).json()
        seen += [s["starts_at"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 6 and seen == sorted(seen)

    def count(**params: Any) -> int:
        response = clinician.get(f"{API}/sessions", params={**mine, **params})
        assert response.status_code == 200, response.text
        return len(response.json()["items"])

    assert count(type="medical") == 1
    assert count(facilitator_id=str(clinician.user.id)) == 1
    assert count(enrollment_id=str(client.id)) == 1
    assert count(**{"from": (NOW + timedelta(days=1)).isoformat()}) == 5
    assert count(**{"from": "2026-03-03", "to": "2026-03-05"}) == 3
    assert count(to=(NOW + timedelta(days=1)).isoformat()) == 1
    assert _problem(clinician.get(f"{API}/sessions", params={"type": "yoga"}), 422)
    assert _problem(clinician.get(f"{API}/sessions", params={"cursor": "nope"}), 422)


def _list_statements(
    clinician: StaffClient, factories: Factories, db: Session, sessions: int, roster: int
) -> int:
    setup = clinic(factories)
    enrollments = [setup.enroll(factories) for _ in range(roster)]
    for day in range(sessions):
        factories.session(
            setup.program, NOW - timedelta(days=day), slot=setup.monday, roster=enrollments
        )
    with count_queries(db) as statements:
        response = clinician.get(f"{API}/sessions", params={"program_id": str(setup.program.id)})
    items = response.json()["items"]
    assert len(items) == sessions and all(s["roster_size"] == roster for s in items)
    return len(statements)


def test_list_items_count_the_roster_and_its_attendance(
    clinician: StaffClient, factories: Factories
) -> None:
    setup = clinic(factories)
    a, b, c = (setup.enroll(factories) for _ in range(3))
    done = factories.session(setup.program, NOW - timedelta(hours=3), roster=[a, b, c])
    factories.session(setup.program, NOW + timedelta(hours=1))
    recorded = clinician.put(
        f"{API}/sessions/{done.id}/attendance",
        json=[
            {"enrollment_id": str(a.id), "status": "present"},
            {"enrollment_id": str(b.id), "status": "absent_excused"},
        ],
    )
    assert recorded.status_code == 200, recorded.text

    listed = clinician.get(f"{API}/sessions", params={"program_id": str(setup.program.id)})
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [(s["roster_size"], s["attendance_recorded"]) for s in items] == [(3, 2), (0, 0)]
    assert all("roster" not in s for s in items)
    single = clinician.get(f"{API}/sessions/{done.id}").json()
    assert len(single["roster"]) == 3


def test_list_takes_the_same_statements_for_any_page(
    clinician: StaffClient, factories: Factories, db: Session
) -> None:
    small = _list_statements(clinician, factories, db, sessions=2, roster=2)
    large = _list_statements(clinician, factories, db, sessions=20, roster=15)
    assert small == large


@pytest.mark.parametrize(
    ("session_type", "create_status", "record_status"),
    [("medical", 201, 200), ("group_therapy", 403, 403)],
)
def test_medical_role(
    app: FastAPI,
    factories: Factories,
    session_type: str,
    create_status: int,
    record_status: int,
) -> None:
    medical = login_as(app, factories, "medical")
    setup = clinic(factories)
    client = setup.enroll(factories)
    created = medical.post(
        f"{API}/sessions",
        json={
            "program_id": str(setup.program.id),
            "session_type": session_type,
            "title": "Check-in",
            "starts_at": (NOW + timedelta(hours=1)).isoformat(),
            "ends_at": (NOW + timedelta(hours=2)).isoformat(),
            "roster": [str(client.id)],
        },
    )
    assert created.status_code == create_status, created.text
    past = factories.session(
        setup.program,
        NOW - timedelta(hours=2),
        minutes=30,
        roster=[client],
        session_type=SessionType(session_type),
    )
    recorded = medical.put(
        f"{API}/sessions/{past.id}/attendance",
        json=[{"enrollment_id": str(client.id), "status": "present"}],
    )
    assert recorded.status_code == record_status, recorded.text
    assert medical.get(f"{API}/sessions/{past.id}").status_code == 200


def test_intake_reads_and_viewer_does_not(app: FastAPI, factories: Factories) -> None:
    setup = clinic(factories)
    session = factories.session(setup.program, NOW)
    intake = login_as(app, factories, "intake")
    viewer = login_as(app, factories, "viewer")
    assert intake.get(f"{API}/sessions/{session.id}").status_code == 200
    assert intake.post(f"{API}/sessions/{session.id}/cancel", json={"reason": "x"}).status_code == (
        403
    )
    assert viewer.get(f"{API}/sessions").status_code == 403
    generate = intake.post(
        f"{API}/programs/{setup.program.id}/schedule/generate",
        json={"from": date(2026, 3, 9).isoformat(), "to": date(2026, 3, 9).isoformat()},
    )
    assert generate.status_code == 403


def test_times_without_offset_are_utc_and_out_of_range_is_422(
    clinician: StaffClient, factories: Factories
) -> None:
    setup = clinic(factories)
    factories.session(setup.program, NOW)
    params = {"program_id": str(setup.program.id)}
    naive = clinician.get(f"{API}/sessions", params={**params, "from": "2026-03-02T12:00:00"})
    assert len(naive.json()["items"]) == 1
    later = clinician.get(f"{API}/sessions", params={**params, "from": "2026-03-02T12:00:01"})
    assert later.json()["items"] == []
    overflow = clinician.get(f"{API}/sessions", params={"from": "0001-01-01T00:00:00+05:00"})
    assert _problem(overflow, 422)["errors"][0]["loc"] == ["query", "from"]
    no_offset = clinician.post(
        f"{API}/sessions",
        json={
            "program_id": str(setup.program.id),
            "session_type": "individual_therapy",
            "title": "1:1",
            "starts_at": "2026-03-03T10:00:00",
            "ends_at": "2026-03-03T11:00:00+00:00",
        },
    )
    assert _problem(no_offset, 422)["errors"][0]["loc"] == ["body", "starts_at"]
