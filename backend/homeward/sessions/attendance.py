"""Attendance: one record per rostered enrollment per session, written in bulk."""

import uuid
from collections.abc import Sequence
from typing import cast

from pydantic import TypeAdapter
from sqlalchemy import BindParameter, Insert, RowMapping, Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.db import as_dicts
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

# Built once, run as plain statements on the Session's connection: for a roster of 30,
# composing statements and the ORM's bulk-insert bookkeeping cost more than the writes.
_SESSION_ID: BindParameter[uuid.UUID] = bindparam("session_id")
# With a row lock: two people saving the same roster at once would both delete, then
# both insert (a duplicate key); the second waits, then replaces the first.
_LOCKED_SESSION = (
    select(
        TreatmentSession.id,
        TreatmentSession.session_type,
        TreatmentSession.status,
        TreatmentSession.starts_at,
        TreatmentSession.ends_at,
    )
    .where(TreatmentSession.id == _SESSION_ID)
    .with_for_update()
)
_ROSTER = select(RosterEntry.enrollment_id).where(RosterEntry.session_id == _SESSION_ID)
_ATTENDANCE = cast(Table, Attendance.__table__)


def _replacing_insert(dialect: str) -> Insert:
    """An INSERT that replaces the enrollment's earlier record: half the statements of a
    DELETE and an INSERT per row. (Sent as one multi-row statement with RETURNING, it
    cost more: SQLAlchemy renders that statement again on every call.)
    """
    build = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = build(_ATTENDANCE)
    replaced = ("status", "minutes_attended", "note", "recorded_by_id", "recorded_at")
    return statement.on_conflict_do_update(
        index_elements=[_ATTENDANCE.c.session_id, _ATTENDANCE.c.enrollment_id],
        set_={column: statement.excluded[column] for column in replaced},
    )


_REPLACING_INSERTS = {dialect: _replacing_insert(dialect) for dialect in ("postgresql", "sqlite")}
_SAVED = (
    select(
        Attendance.enrollment_id,
        Attendance.status,
        Attendance.minutes_attended,
        Attendance.note,
        Attendance.recorded_by_id,
        Attendance.recorded_at,
    )
    .where(Attendance.session_id == _SESSION_ID)
    .order_by(Attendance.enrollment_id)
)


def _session_attendance(db: Session, session_id: uuid.UUID) -> list[AttendanceRead]:
    # Plain rows: no ORM objects to build, and nothing stale in the identity map to refresh.
    return _RECORDS.validate_python(
        as_dicts(db.connection().execute(_SAVED, {"session_id": session_id}))
    )


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
    session: RowMapping,
    rostered: set[uuid.UUID],
    items: Sequence[AttendanceWrite],
    actor: Actor,
) -> list[dict[str, object]]:
    duration = int((session["ends_at"] - session["starts_at"]).total_seconds() // 60)
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
                "session_id": session["id"],
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
    connection = db.connection()
    session = connection.execute(_LOCKED_SESSION, {"session_id": session_id}).mappings().first()
    if session is None:
        raise SessionNotFound()
    require_session_type(actor, session["session_type"])
    if session["status"] == SessionStatus.cancelled:
        raise SessionCancelled("Attendance cannot be recorded for a cancelled session")
    if session["starts_at"] > clock.now():
        raise SessionNotStarted("Attendance can be recorded once the session has started")
    rostered = set(connection.execute(_ROSTER, {"session_id": session_id}).scalars())
    rows = _records(session, rostered, items, actor)
    if rows:
        connection.execute(_REPLACING_INSERTS[connection.dialect.name], rows)
    # An ORM copy of the session loaded earlier in this request holds stale attendance.
    loaded = db.identity_map.get(identity_key(TreatmentSession, session_id))
    if loaded is not None:
        db.expire(loaded, ["attendance"])
    saved = _session_attendance(db, session_id)
    record(
        db,
        actor,
        "attendance.write",
        "session",
        session_id,
        detail={"enrollment_ids": [str(row["enrollment_id"]) for row in rows]},
    )
    return saved
