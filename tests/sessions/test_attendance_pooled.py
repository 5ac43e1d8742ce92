"""Attendance saved on the server's pool (PostgreSQL) answers as the Session's save does.

Served from a database of its own with committed data (`tests/served_clinic.py`): the
same requests go to an app with its pool and to one without, and their answers, the
records they leave and their audit events are compared.
"""

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from psycopg import AsyncConnection
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from homeward.audit.models import AuditEvent
from homeward.main import create_app
from homeward.programs.models import Program
from homeward.sessions import attendance_pooled
from homeward.sessions.models import (
    Attendance,
    RosterEntry,
    SessionStatus,
    TreatmentSession,
)
from tests.factories import Factories
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
        # Its patients are found on the roster (`tests/audit/test_accounting.py`).
        assert (event.patient_ids, event.resource_ids) == (
            None,
            [str(clinic.treatment_session_id)],
        )


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


def _saved_since(clinic: Clinic, change: Any) -> None:
    clinic.session.execute(change)
    clinic.session.commit()


def test_the_save_function_refuses_a_session_changed_since_it_was_read(clinic: Clinic) -> None:
    starts_at = clinic.session.scalar(
        select(TreatmentSession.starts_at).where(TreatmentSession.id == clinic.treatment_session_id)
    )
    assert starts_at is not None
    call = text(
        "SELECT * FROM save_attendance(:id, 'group_therapy', 'scheduled', :starts_at, "
        ":ends_at, CAST(:listed AS json), NULL, now())"
    )
    listed = f'[{{"enrollment_id": "{clinic.enrollment_id}", "status": "present", '
    listed += '"minutes_attended": 180}]'
    with pytest.raises(DBAPIError) as refused:
        # Read as ending an hour after it does.
        clinic.session.execute(
            call,
            {
                "id": clinic.treatment_session_id,
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=4),
                "listed": listed,
            },
        )
    assert getattr(refused.value.orig, "sqlstate", None) == attendance_pooled.SESSION_CHANGED
    clinic.session.rollback()
    saved = clinic.session.execute(
        call,
        {
            "id": clinic.treatment_session_id,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=3),
            "listed": listed,
        },
    ).all()
    assert [(row.enrollment_id, row.status, row.minutes_attended) for row in saved] == [
        (clinic.enrollment_id, "present", 180)
    ]


def test_a_save_is_decided_on_the_session_as_it_is_now_not_as_last_read(clinic: Clinic) -> None:
    """Each save below follows a change made behind the server's back, after the server
    last read the session."""
    pooled, _ = _clients(clinic)
    url = f"/api/v1/sessions/{clinic.treatment_session_id}/attendance"
    mine, other = str(clinic.enrollment_id), str(clinic.other_enrollment_id)
    this_session = TreatmentSession.id == clinic.treatment_session_id
    program_id = clinic.session.scalar(select(TreatmentSession.program_id).where(this_session))
    factories = Factories(clinic.session)
    with pooled:
        signed_in(pooled, clinic.email)
        assert pooled.put(url, json=[{"enrollment_id": mine, "status": "present"}]).is_success

        # An hour longer: "present" is the new length.
        ends_at = clinic.session.scalar(select(TreatmentSession.ends_at).where(this_session))
        assert ends_at is not None
        _saved_since(
            clinic,
            update(TreatmentSession)
            .where(this_session)
            .values(ends_at=ends_at + timedelta(hours=1)),
        )
        longer = pooled.put(url, json=[{"enrollment_id": mine, "status": "present"}])

        # Rostered since: accepted.
        program = clinic.session.get(Program, program_id)
        assert program is not None
        newcomer = factories.enrollment(program)
        clinic.session.add(
            RosterEntry(session_id=clinic.treatment_session_id, enrollment_id=newcomer.id)
        )
        clinic.session.commit()
        rostered = pooled.put(
            url,
            json=[{"enrollment_id": str(newcomer.id), "status": "late", "minutes_attended": 30}],
        )

        # Taken off the roster since: refused.
        _saved_since(
            clinic,
            delete(RosterEntry).where(
                RosterEntry.session_id == clinic.treatment_session_id,
                RosterEntry.enrollment_id == clinic.other_enrollment_id,
            ),
        )
        unrostered = pooled.put(url, json=[{"enrollment_id": other, "status": "present"}])

        _saved_since(
            clinic, update(TreatmentSession).where(this_session).values(status="cancelled")
        )
        cancelled = pooled.put(url, json=[{"enrollment_id": mine, "status": "present"}])

        _saved_since(clinic, delete(Attendance))
        _saved_since(clinic, delete(RosterEntry))
        _saved_since(clinic, delete(TreatmentSession).where(this_session))
        deleted = pooled.put(url, json=[{"enrollment_id": mine, "status": "present"}])

    assert longer.status_code == 200, longer.text
    assert [(r["enrollment_id"], r["minutes_attended"]) for r in longer.json()] == [(mine, 240)]
    assert rostered.status_code == 200, rostered.text
    assert {r["enrollment_id"] for r in rostered.json()} == {mine, str(newcomer.id)}
    assert (unrostered.status_code, unrostered.json()["errors"][0]["loc"]) == (
        422,
        ["body", 0, "enrollment_id"],
    )
    assert cancelled.status_code == 409
    assert deleted.status_code == 404
    # Only the saves that succeeded are recorded.
    assert [event.detail for event in _write_events(clinic)] == [
        {"enrollment_ids": [mine]},
        {"enrollment_ids": [mine]},
        {"enrollment_ids": [str(newcomer.id)]},
    ]


def test_a_session_saved_before_is_saved_in_one_statement(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements: list[str] = []
    execute = AsyncConnection.execute

    async def counted(self: AsyncConnection[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        statements.append(str(query))
        return await execute(self, query, *args, **kwargs)

    monkeypatch.setattr(AsyncConnection, "execute", counted)
    pooled, _ = _clients(clinic)
    url = f"/api/v1/sessions/{clinic.treatment_session_id}/attendance"
    body = [{"enrollment_id": str(clinic.enrollment_id), "status": "present"}]
    with pooled:
        signed_in(pooled, clinic.email)
        assert pooled.put(url, json=body).is_success
        first = len(statements)
        second = pooled.put(url, json=body)

    assert second.is_success
    assert first >= 2  # the session read, then saved (and whatever signing in ran)
    [saved] = statements[first:]
    assert "save_attendance" in saved


def test_a_save_records_its_event_before_it_takes_the_session_lock(clinic: Clinic) -> None:
    """The event's insert runs once, as the plan's init step, before the save whose row
    lock a second save of the session waits on: the lock is held the shorter."""
    statement = attendance_pooled._SAVE
    names = set(re.findall(r"%\((\w+)\)s", statement.sql))
    explain = "EXPLAIN (FORMAT JSON) " + statement.sql
    connection = clinic.session.connection()
    [[[plan]]] = connection.exec_driver_sql(explain, dict.fromkeys(names)).all()
    top = plan["Plan"]
    assert top["Node Type"] == "Result" and "One-Time Filter" in top
    # (The CTEs are init plans too, named "CTE ..."; the filter's is "InitPlan ...".)
    first = [p for p in top["Plans"] if p.get("Subplan Name", "").startswith("InitPlan")]
    assert [(p["Node Type"], p.get("CTE Name")) for p in first] == [("CTE Scan", "audit")]
    [saving] = [p for p in top["Plans"] if p["Parent Relationship"] == "Outer"]
    assert (saving["Node Type"], saving.get("CTE Name")) == ("CTE Scan", "saved")
