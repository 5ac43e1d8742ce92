import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.errors import InvalidInput, PermissionDenied
from homeward.programs.models import SessionType
from homeward.sessions.attendance import list_attendance, record_attendance
from homeward.sessions.exceptions import SessionCancelled, SessionNotStarted
from homeward.sessions.models import AttendanceStatus, SessionStatus
from homeward.sessions.schemas import AttendanceWrite
from tests.factories import Factories
from tests.sessions.helpers import NOW, audit_count, clinic, freeze
from tests.statements import count_queries

ACTOR = Actor.system()


def _items(*records: dict[str, Any]) -> list[AttendanceWrite]:
    return [AttendanceWrite.model_validate(r) for r in records]


def _loc(error: pytest.ExceptionInfo[InvalidInput]) -> list[str | int]:
    assert error.value.errors is not None
    return error.value.errors[0].loc


def test_defaults_and_replacement(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    setup = clinic(factories)
    a, b, c = (setup.enroll(factories) for _ in range(3))
    session = factories.session(
        setup.program, NOW - timedelta(hours=3), minutes=180, roster=[a, b, c]
    )

    saved = record_attendance(
        db,
        ACTOR,
        session.id,
        _items(
            {"enrollment_id": a.id, "status": "present"},
            {"enrollment_id": b.id, "status": "absent_unexcused", "note": "no call"},
            {"enrollment_id": c.id, "status": "late", "minutes_attended": 150},
        ),
    )
    by_id = {r.enrollment_id: r for r in saved}
    assert (by_id[a.id].status, by_id[a.id].minutes_attended) == ("present", 180)
    assert (by_id[b.id].minutes_attended, by_id[b.id].note) == (0, "no call")
    assert by_id[c.id].minutes_attended == 150

    # Re-sending one enrollment replaces its record and leaves the others alone.
    again = record_attendance(
        db,
        ACTOR,
        session.id,
        _items({"enrollment_id": b.id, "status": "absent_excused", "note": "called in sick"}),
    )
    by_id = {r.enrollment_id: r for r in again}
    assert len(again) == 3
    assert (by_id[b.id].status, by_id[b.id].note) == ("absent_excused", "called in sick")
    assert by_id[a.id].minutes_attended == 180
    assert audit_count(db, "attendance.write") == 2
    assert len(list_attendance(db, ACTOR, session.id)) == 3
    assert audit_count(db, "attendance.read") == 1


def test_not_started_is_422_and_cancelled_is_409(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    setup = clinic(factories)
    client = setup.enroll(factories)
    present = _items({"enrollment_id": client.id, "status": "present"})
    upcoming = factories.session(setup.program, NOW + timedelta(minutes=1), roster=[client])
    with pytest.raises(SessionNotStarted) as raised:
        record_attendance(db, ACTOR, upcoming.id, present)
    assert raised.value.status == 422
    # Under way counts as started.
    under_way = factories.session(setup.program, NOW - timedelta(minutes=5), roster=[client])
    assert record_attendance(db, ACTOR, under_way.id, present)[0].minutes_attended == 180
    cancelled = factories.session(
        setup.program, NOW - timedelta(days=1), roster=[client], status=SessionStatus.cancelled
    )
    with pytest.raises(SessionCancelled):
        record_attendance(db, ACTOR, cancelled.id, present)


@pytest.mark.parametrize(
    ("record", "loc_field", "message"),
    [
        ({"status": "present", "minutes_attended": 181}, "minutes_attended", "at most"),
        ({"status": "late"}, "minutes_attended", "give the minutes"),
        ({"status": "left_early"}, "minutes_attended", "give the minutes"),
        ({"status": "absent_excused", "minutes_attended": 20}, "minutes_attended", "0 minutes"),
    ],
)
def test_minutes_rules(
    db: Session,
    factories: Factories,
    monkeypatch: pytest.MonkeyPatch,
    record: dict[str, Any],
    loc_field: str,
    message: str,
) -> None:
    freeze(monkeypatch)
    setup = clinic(factories)
    ok, checked = setup.enroll(factories), setup.enroll(factories)
    session = factories.session(setup.program, NOW - timedelta(hours=4), roster=[ok, checked])
    with pytest.raises(InvalidInput) as raised:
        record_attendance(
            db,
            ACTOR,
            session.id,
            _items(
                {"enrollment_id": ok.id, "status": "present"},
                {"enrollment_id": checked.id, **record},
            ),
        )
    assert _loc(raised) == ["body", 1, loc_field]
    assert raised.value.errors is not None and message in raised.value.errors[0].msg
    assert list_attendance(db, ACTOR, session.id) == []  # nothing was written


def test_only_rostered_enrollments_once_each(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    setup = clinic(factories)
    rostered, stranger = setup.enroll(factories), setup.enroll(factories)
    session = factories.session(setup.program, NOW - timedelta(hours=4), roster=[rostered])
    for wrong in (stranger.id, uuid.uuid4()):
        with pytest.raises(InvalidInput) as raised:
            record_attendance(
                db,
                ACTOR,
                session.id,
                _items(
                    {"enrollment_id": rostered.id, "status": "present"},
                    {"enrollment_id": wrong, "status": "present"},
                ),
            )
        assert _loc(raised) == ["body", 1, "enrollment_id"]
    with pytest.raises(InvalidInput) as raised:
        record_attendance(
            db,
            ACTOR,
            session.id,
            _items(
                {"enrollment_id": rostered.id, "status": "present"},
                {"enrollment_id": rostered.id, "status": "late", "minutes_attended": 5},
            ),
        )
    assert _loc(raised) == ["body", 1, "enrollment_id"]


def test_medical_staff_record_medical_sessions_only(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    setup = clinic(factories)
    client = setup.enroll(factories)
    medical = Actor("user", None, "medical")
    present = _items({"enrollment_id": client.id, "status": "present"})
    group = factories.session(setup.program, NOW - timedelta(hours=4), roster=[client])
    with pytest.raises(PermissionDenied):
        record_attendance(db, medical, group.id, present)
    visit = factories.session(
        setup.program,
        NOW - timedelta(hours=4),
        minutes=30,
        roster=[client],
        session_type=SessionType.medical,
    )
    assert record_attendance(db, medical, visit.id, present)[0].status == AttendanceStatus.present


def _statements_for_roster(db: Session, factories: Factories, size: int) -> int:
    setup = clinic(factories)
    roster = [setup.enroll(factories) for _ in range(size)]
    session = factories.session(setup.program, NOW - timedelta(hours=4), roster=roster)
    records = _items(
        *(
            {
                "enrollment_id": e.id,
                "status": "present" if i % 3 else "absent_unexcused",
                # Some with a note, some without: still one INSERT.
                **({"note": "came with family"} if i % 4 == 0 else {}),
            }
            for i, e in enumerate(roster)
        )
    )
    record_attendance(db, ACTOR, session.id, records)  # a first pass, so the PUT replaces
    db.expire_all()
    with count_queries(db) as statements:
        saved = record_attendance(db, ACTOR, session.id, records)
    assert len(saved) == size
    return len(statements)


def test_a_roster_of_30_takes_as_many_statements_as_one_of_5(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    assert _statements_for_roster(db, factories, 5) == _statements_for_roster(db, factories, 30)
