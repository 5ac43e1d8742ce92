"""Attendance saved on the server's pool (PostgreSQL) answers as the Session's save does.

Served from a database of its own with committed data (`tests/served_clinic.py`): the
same requests go to an app with its pool and to one without, and their answers, the
records they leave and their audit events are compared.
"""

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from homeward.audit.models import AuditEvent
from homeward.main import create_app
from homeward.sessions.models import Attendance, SessionStatus, TreatmentSession
from tests.served_clinic import Clinic, clinic, signed_in

__all__ = ["clinic"]  # the fixture, used by name


def _clients(clinic: Clinic) -> tuple[TestClient, TestClient]:
    pooled_app = create_app(clinic.settings)
    session_app = create_app(clinic.settings.model_copy(update={"read_pool_size": 0}))
    return TestClient(pooled_app), TestClient(session_app)


def _write_events(clinic: Clinic) -> list[AuditEvent]:
    clinic.session.expire_all()
    query = select(AuditEvent).where(AuditEvent.action == "attendance.write")
    return list(clinic.session.scalars(query.order_by(AuditEvent.id)))


def _records(clinic: Clinic) -> list[tuple[uuid.UUID, str, int, str | None]]:
    clinic.session.expire_all()
    rows = clinic.session.execute(
        select(
            Attendance.enrollment_id,
            Attendance.status,
            Attendance.minutes_attended,
            Attendance.note,
        ).order_by(Attendance.enrollment_id)
    )
    return [(row[0], row[1].value, row[2], row[3]) for row in rows]


def _without_request(problem: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in problem.items() if key not in ("request_id", "instance")}


def test_a_pooled_save_replaces_records_as_the_session_save_does(clinic: Clinic) -> None:
    pooled, plain = _clients(clinic)
    url = f"/api/v1/sessions/{clinic.treatment_session_id}/attendance"
    mine, other = str(clinic.enrollment_id), str(clinic.other_enrollment_id)
    with pooled, plain:
        signed_in(pooled, clinic.email)
        signed_in(plain, clinic.email)
        first = pooled.put(url, json=[{"enrollment_id": mine, "status": "present"}])
        late = {"enrollment_id": other, "status": "late", "minutes_attended": 150, "note": "bus"}
        second = plain.put(url, json=[late])
        # Re-sent: replaces this enrollment's record, leaves the other's as it was.
        third = pooled.put(url, json=[{"enrollment_id": mine, "status": "absent_excused"}])
        listed = plain.get(url)

    assert first.status_code == second.status_code == third.status_code == 200, third.text
    [saved] = first.json()
    assert (saved["enrollment_id"], saved["status"], saved["minutes_attended"]) == (
        mine,
        "present",
        180,
    )
    assert saved["recorded_at"].endswith("Z")
    assert third.json() == listed.json()
    # In enrollment order, as the Session path lists them.
    expected = {mine: ("absent_excused", 0, None), other: ("late", 150, "bus")}
    assert [
        (r["enrollment_id"], r["status"], r["minutes_attended"], r["note"]) for r in third.json()
    ] == [(key, *expected[key]) for key in sorted(expected)]
    assert _records(clinic) == sorted(
        [
            (clinic.enrollment_id, "absent_excused", 0, None),
            (clinic.other_enrollment_id, "late", 150, "bus"),
        ]
    )
    events = _write_events(clinic)
    assert [event.detail for event in events] == [
        {"enrollment_ids": [mine]},
        {"enrollment_ids": [other]},
        {"enrollment_ids": [mine]},
    ]
    requests = [first, second, third]
    assert [event.request_id for event in events] == [r.headers["X-Request-ID"] for r in requests]
    for event in events:
        assert (event.actor_type, event.resource_type, event.outcome) == (
            "user",
            "session",
            "success",
        )
        assert event.resource_id == str(clinic.treatment_session_id)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ([{"enrollment_id": str(uuid.uuid4()), "status": "present"}], 422),  # not rostered
        ([{"enrollment_id": "{mine}", "status": "present"}] * 2, 422),  # listed twice
        ([{"enrollment_id": "{mine}", "status": "late"}], 422),  # late needs minutes
        ([{"enrollment_id": "{mine}", "status": "present", "minutes_attended": 999}], 422),
        ([{"enrollment_id": "{mine}", "status": "absent_unexcused", "minutes_attended": 5}], 422),
    ],
)
def test_a_refused_pooled_save_answers_as_the_session_save_and_writes_nothing(
    clinic: Clinic, body: list[dict[str, Any]], status: int
) -> None:
    body = [
        {**item, "enrollment_id": item["enrollment_id"].format(mine=clinic.enrollment_id)}
        for item in body
    ]
    pooled, plain = _clients(clinic)
    url = f"/api/v1/sessions/{clinic.treatment_session_id}/attendance"
    with pooled, plain:
        pooled_answer = signed_in(pooled, clinic.email).put(url, json=body)
        plain_answer = signed_in(plain, clinic.email).put(url, json=body)

    assert pooled_answer.status_code == plain_answer.status_code == status
    assert _without_request(pooled_answer.json()) == _without_request(plain_answer.json())
    assert _records(clinic) == []
    assert _write_events(clinic) == []


def test_a_pooled_save_refuses_a_missing_or_cancelled_session(clinic: Clinic) -> None:
    pooled, _ = _clients(clinic)
    body = [{"enrollment_id": str(clinic.enrollment_id), "status": "present"}]
    with pooled:
        signed_in(pooled, clinic.email)
        missing = pooled.put(f"/api/v1/sessions/{uuid.uuid4()}/attendance", json=body)
        clinic.session.execute(
            update(TreatmentSession)
            .where(TreatmentSession.id == clinic.treatment_session_id)
            .values(status=SessionStatus.cancelled)
        )
        clinic.session.commit()
        cancelled = pooled.put(
            f"/api/v1/sessions/{clinic.treatment_session_id}/attendance", json=body
        )

    assert missing.status_code == 404
    assert cancelled.status_code == 409
    assert _records(clinic) == []
    assert _write_events(clinic) == []
