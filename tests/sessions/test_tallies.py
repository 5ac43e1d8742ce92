"""Each session's roster size and attendance count, kept by triggers (migration 0014),
agree with counting the rows after every kind of write."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from homeward.bulk import insert_dicts
from homeward.sessions.models import (
    Attendance,
    AttendanceStatus,
    RosterEntry,
    SessionTally,
    TreatmentSession,
)
from homeward.settings import Settings
from tests.database_code import declared_names
from tests.factories import Factories

NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _counted(db: Session) -> dict[uuid.UUID, tuple[int, int]]:
    db.flush()
    # Not dict(result): a result has keys(), the column names.
    rostered = dict(
        db.execute(
            select(RosterEntry.session_id, func.count()).group_by(RosterEntry.session_id)
        ).all()
    )
    recorded = dict(
        db.execute(
            select(Attendance.session_id, func.count()).group_by(Attendance.session_id)
        ).all()
    )
    return {session: (n, recorded.get(session, 0)) for session, n in rostered.items()}


def _kept(db: Session) -> dict[uuid.UUID, tuple[int, int]]:
    db.flush()
    db.expire_all()
    rows = db.execute(select(SessionTally.session_id, SessionTally.rostered, SessionTally.recorded))
    # A tally left at zero is a session whose roster emptied: as good as none.
    return {row[0]: (row[1], row[2]) for row in rows if (row[1], row[2]) != (0, 0)}


def _present(session: TreatmentSession, enrollment_id: uuid.UUID) -> Attendance:
    return Attendance(
        session_id=session.id,
        enrollment_id=enrollment_id,
        status=AttendanceStatus.present,
        minutes_attended=60,
    )


def test_the_tallies_agree_with_the_rows_after_every_kind_of_write(
    db: Session, factories: Factories
) -> None:
    program = factories.program()
    people = [factories.enrollment(program) for _ in range(4)]
    first = factories.session(program, NOON, roster=people[:3])
    second = factories.session(program, NOON + timedelta(days=1), roster=people)
    empty = factories.session(program, NOON + timedelta(days=2))
    doomed = factories.session(program, NOON + timedelta(days=3), roster=people[:2])

    writes = [
        ("rostered", lambda: None),
        ("attendance recorded", lambda: db.add_all([_present(first, p.id) for p in people[:2]])),
        (
            "attendance re-saved",
            lambda: db.execute(
                update(Attendance)
                .where(Attendance.session_id == first.id)
                .values(status=AttendanceStatus.late, note="re-saved")
            ),
        ),
        ("more attendance", lambda: db.add(_present(second, people[3].id))),
        (
            "attendance removed",
            lambda: db.execute(
                delete(Attendance).where(
                    Attendance.session_id == first.id, Attendance.enrollment_id == people[0].id
                )
            ),
        ),
        (
            "taken off a roster",
            lambda: db.execute(
                delete(RosterEntry).where(
                    RosterEntry.session_id == second.id, RosterEntry.enrollment_id == people[2].id
                )
            ),
        ),
        (
            # Moved to the empty session, roster entry and record both.
            "moved to another session",
            lambda: _move(db, second.id, empty.id, people[3].id),
        ),
        (
            "session deleted",
            lambda: db.execute(delete(TreatmentSession).where(TreatmentSession.id == doomed.id)),
        ),
    ]
    for name, write in writes:
        write()
        assert _kept(db) == _counted(db), name
    assert _kept(db)[empty.id] == (1, 1)
    assert doomed.id not in _kept(db)


def _move(db: Session, from_id: uuid.UUID, to_id: uuid.UUID, enrollment_id: uuid.UUID) -> None:
    # The record references its roster entry: add the new entry, move the record to it,
    # then drop the old entry.
    db.add(RosterEntry(session_id=to_id, enrollment_id=enrollment_id))
    db.flush()
    db.execute(
        update(Attendance)
        .where(Attendance.session_id == from_id, Attendance.enrollment_id == enrollment_id)
        .values(session_id=to_id)
    )
    db.execute(
        delete(RosterEntry).where(
            RosterEntry.session_id == from_id, RosterEntry.enrollment_id == enrollment_id
        )
    )


def test_a_bulk_load_is_tallied(db: Session, factories: Factories) -> None:
    program = factories.program()
    people = [factories.enrollment(program) for _ in range(3)]
    sessions = [factories.session(program, NOON + timedelta(days=n)) for n in range(2)]
    connection = db.connection()
    insert_dicts(
        connection,
        RosterEntry.__table__,  # type: ignore[arg-type]
        [{"session_id": s.id, "enrollment_id": p.id} for s in sessions for p in people],
    )
    insert_dicts(
        connection,
        Attendance.__table__,  # type: ignore[arg-type]
        [
            {
                "session_id": sessions[0].id,
                "enrollment_id": p.id,
                "status": AttendanceStatus.present,
                "minutes_attended": 60,
            }
            for p in people
        ],
    )
    assert _kept(db) == _counted(db) == {sessions[0].id: (3, 3), sessions[1].id: (3, 0)}


def test_every_tally_trigger_is_in_place(db: Session, settings: Settings) -> None:
    if settings.is_sqlite:
        listed = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        listed = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    found = {name for name in db.scalars(text(listed)) if name.startswith("session_tallies_")}
    assert found == {
        name for name in declared_names("sessions", settings) if name.startswith("session_tallies_")
    }
