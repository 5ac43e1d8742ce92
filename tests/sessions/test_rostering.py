from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.enrollments.models import EnrollmentStatus
from homeward.sessions.models import Attendance, AttendanceStatus, RosterEntry, RosterRemoval
from homeward.sessions.rostering import future_sessions_of, sync_rosters
from tests.factories import Factories
from tests.statements import count_queries

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _roster(db: Session, session_id: object) -> set[object]:
    rows = db.scalars(select(RosterEntry.enrollment_id).where(RosterEntry.session_id == session_id))
    return set(rows)


def test_rosters_follow_phase_and_status_but_keep_the_past(
    db: Session, factories: Factories
) -> None:
    program = factories.program()
    monday = factories.slot(program, weekday=0, start=time(9), end=time(12))
    wednesday = factories.slot(program, weekday=2, start=time(9), end=time(12))
    intensive = factories.phase(program, [monday, wednesday])
    taper = factories.phase(program, [wednesday])
    stays, tapers, held = (factories.enrollment(program, intensive) for _ in range(3))

    past = factories.session(
        program, NOW - timedelta(days=2), slot=monday, roster=[stays, tapers, held]
    )
    db.add(
        Attendance(
            session_id=past.id,
            enrollment_id=tapers.id,
            status=AttendanceStatus.present,
            minutes_attended=180,
        )
    )
    future_monday = factories.session(program, NOW + timedelta(days=5), slot=monday)
    future_wednesday = factories.session(program, NOW + timedelta(days=7), slot=wednesday)

    sync_rosters(db, future_sessions_of([stays.id, tapers.id, held.id], NOW))
    assert _roster(db, future_monday.id) == {stays.id, tapers.id, held.id}

    tapers.current_phase_id = taper.id
    held.status = EnrollmentStatus.on_hold
    db.flush()
    with count_queries(db) as statements:
        sync_rosters(db, future_sessions_of([tapers.id, held.id], NOW))
    # The removals, the history of what they took, the additions.
    assert len(statements) == 3

    assert _roster(db, future_monday.id) == {stays.id}
    assert _roster(db, future_wednesday.id) == {stays.id, tapers.id}
    assert _roster(db, past.id) == {stays.id, tapers.id, held.id}
    # What was taken away is kept, with when it stood.
    removed = db.execute(
        select(RosterRemoval.session_id, RosterRemoval.enrollment_id, RosterRemoval.removed_at)
    ).all()
    assert {(row.session_id, row.enrollment_id) for row in removed} == {
        (future_monday.id, tapers.id),
        (future_monday.id, held.id),
        (future_wednesday.id, held.id),
    }
    assert {row.removed_at for row in removed} == {clock.now().replace(microsecond=0)}

    with count_queries(db) as statements:
        sync_rosters(db, future_sessions_of([tapers.id, held.id], NOW))
    assert len(statements) == 2  # nothing to take away, no history to keep
