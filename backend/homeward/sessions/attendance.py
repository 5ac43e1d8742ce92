"""Attendance: one record per rostered enrollment per session, written in bulk."""

import uuid
from collections.abc import Sequence

from pydantic import TypeAdapter
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.errors import InvalidInput
from homeward.sessions.exceptions import SessionCancelled, SessionNotFound, SessionNotStarted
from homeward.sessions.models import (
    Attendance,
    AttendanceStatus,
    RosterEntry,
    SessionStatus,
    TreatmentSession,
)
from homeward.sessions.schemas import AttendanceRead, AttendanceWrite
from homeward.sessions.service import find_session, require_session_type

ABSENT = (AttendanceStatus.absent_excused, AttendanceStatus.absent_unexcused)
_RECORDS = TypeAdapter(list[AttendanceRead])


def _session_attendance(db: Session, session_id: uuid.UUID) -> list[AttendanceRead]:
    # Plain rows: no ORM objects to build, and nothing stale in the identity map to refresh.
    rows = db.connection().execute(
        select(
            Attendance.enrollment_id,
            Attendance.status,
            Attendance.minutes_attended,
            Attendance.note,
            Attendance.recorded_by_id,
            Attendance.recorded_at,
        )
        .where(Attendance.session_id == session_id)
        .order_by(Attendance.enrollment_id)
    )
    return _RECORDS.validate_python(list(rows.mappings()))


def list_attendance(db: Session, actor: Actor, session_id: uuid.UUID) -> list[AttendanceRead]:
    session = find_session(db, session_id)
    records = _session_attendance(db, session.id)
    record(db, actor, "attendance.read", "session", session.id, detail={"count": len(records)})
    return records


def _minutes(index: int, item: AttendanceWrite, duration: int) -> int:
    loc: list[str | int] = ["body", index, "minutes_attended"]
    minutes = item.minutes_attended
    if item.status in ABSENT:
        if minutes:
            raise InvalidInput.at(loc, "an absence has 0 minutes attended")
        return 0
    if minutes is None:
        if item.status != AttendanceStatus.present:
            raise InvalidInput.at(loc, f"give the minutes attended when {item.status.value}")
        return duration
    if minutes > duration:
        raise InvalidInput.at(loc, f"at most the session's {duration} minutes")
    return minutes


def _records(
    session: TreatmentSession,
    rostered: set[uuid.UUID],
    items: Sequence[AttendanceWrite],
    actor: Actor,
) -> list[dict[str, object]]:
    duration = session.duration_minutes
    now = clock.now()
    seen: set[uuid.UUID] = set()
    rows: list[dict[str, object]] = []
    for index, item in enumerate(items):
        if item.enrollment_id not in rostered:
            raise InvalidInput.at(
                ["body", index, "enrollment_id"], "this enrollment is not on the session's roster"
            )
        if item.enrollment_id in seen:
            raise InvalidInput.at(["body", index, "enrollment_id"], "listed twice")
        seen.add(item.enrollment_id)
        rows.append(
            {
                "session_id": session.id,
                "enrollment_id": item.enrollment_id,
                "status": item.status,
                "minutes_attended": _minutes(index, item, duration),
                "note": item.note,
                "recorded_by_id": actor.id,
                "recorded_at": now,
            }
        )
    return rows


def record_attendance(
    db: Session, actor: Actor, session_id: uuid.UUID, items: Sequence[AttendanceWrite]
) -> list[AttendanceRead]:
    """Record attendance for some or all of the roster.

    Re-sending replaces the earlier records of the enrollments listed; the others
    stay. A fixed number of statements whatever the roster's size.
    """
    # Read with a row lock: two people saving the same roster at once would both delete,
    # then both insert (a duplicate key); the second waits, then replaces the first. The
    # checks below see the row as it stands once locked.
    session = db.scalar(
        select(TreatmentSession)
        .where(TreatmentSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if session is None:
        raise SessionNotFound()
    require_session_type(actor, session.session_type)
    if session.status == SessionStatus.cancelled:
        raise SessionCancelled("Attendance cannot be recorded for a cancelled session")
    if session.starts_at > clock.now():
        raise SessionNotStarted("Attendance can be recorded once the session has started")
    rostered = set(
        db.scalars(select(RosterEntry.enrollment_id).where(RosterEntry.session_id == session.id))
    )
    rows = _records(session, rostered, items, actor)
    db.execute(
        delete(Attendance)
        .where(
            Attendance.session_id == session.id,
            Attendance.enrollment_id.in_([row["enrollment_id"] for row in rows]),
        )
        .execution_options(synchronize_session=False)
    )
    # One executemany; with nulls rendered, rows with and without a note share one statement.
    db.execute(insert(Attendance).execution_options(render_nulls=True), rows)
    db.expire(session, ["attendance"])
    saved = _session_attendance(db, session.id)
    record(
        db,
        actor,
        "attendance.write",
        "session",
        session.id,
        detail={"enrollment_ids": [str(row["enrollment_id"]) for row in rows]},
    )
    return saved
