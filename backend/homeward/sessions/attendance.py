"""Attendance: one record per rostered enrollment per session, written in bulk."""

import uuid
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, cast

import orjson
from pydantic import TypeAdapter
from sqlalchemy import (
    JSON,
    BindParameter,
    Connection,
    DateTime,
    Insert,
    String,
    Table,
    Uuid,
    bindparam,
    func,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from homeward import clock
from homeward.audit import accounting
from homeward.audit.service import Actor, record
from homeward.db import as_dicts
from homeward.errors import InvalidInput
from homeward.programs.models import SessionType
from homeward.sessions.exceptions import SessionCancelled, SessionNotFound, SessionNotStarted
from homeward.sessions.models import (
    Attendance,
    AttendanceStatus,
    RosterEntry,
    SessionStatus,
    TreatmentSession,
)
from homeward.sessions.roster_history import rostered_patients
from homeward.sessions.schemas import AttendanceRead, AttendanceWrite
from homeward.sessions.service import find_session, require_session_type

ABSENT = (AttendanceStatus.absent_excused, AttendanceStatus.absent_unexcused)
_RECORDS = TypeAdapter(list[AttendanceRead])

# Built once, run as plain statements on the Session's connection: for a roster of 30,
# composing statements and the ORM's bulk-insert bookkeeping cost more than the writes.
_SESSION_ID: BindParameter[uuid.UUID] = bindparam("session_id")
# With a row lock: of two saves of the same session at once, the second waits, then
# reads the roster and replaces the records as the first left them.
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


def _replacing_insert() -> Insert:
    """SQLite's: an INSERT per row, sent as one executemany, that replaces the enrollment's
    earlier record (half the statements of a DELETE and an INSERT)."""
    statement = sqlite.insert(_ATTENDANCE)
    replaced = ("status", "minutes_attended", "note", "recorded_by_id", "recorded_at")
    return statement.on_conflict_do_update(
        index_elements=[_ATTENDANCE.c.session_id, _ATTENDANCE.c.enrollment_id],
        set_={column: statement.excluded[column] for column in replaced},
    )


_REPLACING_INSERT = _replacing_insert()

_MOMENT = DateTime(timezone=True)
# PostgreSQL's one writer of attendance: `save_attendance` (`sessions/sql/postgresql.sql`)
# saves the list, once sure under the session's row lock that the session is as checked,
# and returns the session's records. The pooled save sends it with its audit event.
SAVE_ATTENDANCE = select(
    func.save_attendance(
        bindparam("session_id", type_=Uuid),
        bindparam("session_type", type_=String),
        bindparam("status", type_=String),
        bindparam("starts_at", type_=_MOMENT),
        bindparam("ends_at", type_=_MOMENT),
        # One JSON text rather than an array per column: psycopg dumps arrays value by
        # value in Python (py-spy put that at a sixth of the server's time).
        sql_cast(bindparam("listed", type_=String), JSON),
        bindparam("recorded_by_id", type_=Uuid),
        bindparam("recorded_at", type_=_MOMENT),
    )
    .table_valued(*AttendanceRead.model_fields)
    .alias("saved")
)
_LISTED_KEYS = ("enrollment_id", "status", "minutes_attended", "note")


def save_parameters(session: Mapping[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """What `SAVE_ATTENDANCE` binds to save `rows` (from `attendance_rows`) for `session`."""
    first = rows[0]
    return {
        "session_id": session["id"],
        # As text, whether read through the ORM (enums) or straight from the driver.
        "session_type": SessionType(session["session_type"]).value,
        "status": SessionStatus(session["status"]).value,
        "starts_at": session["starts_at"],
        "ends_at": session["ends_at"],
        "recorded_by_id": first["recorded_by_id"],
        "recorded_at": first["recorded_at"],
        "listed": orjson.dumps([{key: row[key] for key in _LISTED_KEYS} for row in rows]).decode(),
    }


def _replace(
    connection: Connection, session: Mapping[str, Any], rows: list[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    """Write the rows, each replacing the enrollment's earlier record for the session;
    on PostgreSQL, the session's records as they now are, from the same statement."""
    if connection.dialect.name == "sqlite":
        connection.execute(_REPLACING_INSERT, rows)
        return None
    return as_dicts(connection.execute(SAVE_ATTENDANCE, save_parameters(session, rows)))


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

# An attendance event names its session. Every record is of an enrollment on the
# session's roster, so the accounting of disclosures finds their patients there, as the
# roster stood (`roster_history`): the 30 records of a group name one id, not 30.
for _action in ("attendance.read", "attendance.write"):
    accounting.register(_action, rostered_patients)


def list_attendance(db: Session, actor: Actor, session_id: uuid.UUID) -> list[AttendanceRead]:
    session = find_session(db, session_id)
    rows = as_dicts(db.connection().execute(_SAVED, {"session_id": session.id}))
    records = _RECORDS.validate_python(rows)
    record(
        db,
        actor,
        "attendance.read",
        "session",
        session.id,
        detail={"count": len(records)},
        resource_ids=[session.id],
    )
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


def recordable(actor: Actor, session: Mapping[Any, Any] | None) -> Mapping[Any, Any]:
    """`session`, if `actor` may record its attendance now; else the error saying why."""
    if session is None:
        raise SessionNotFound()
    require_session_type(actor, session["session_type"])
    if session["status"] == SessionStatus.cancelled:
        raise SessionCancelled("Attendance cannot be recorded for a cancelled session")
    if session["starts_at"] > clock.now():
        raise SessionNotStarted("Attendance can be recorded once the session has started")
    return session


def attendance_rows(
    session: Mapping[str, Any],
    rostered: AbstractSet[uuid.UUID],
    items: Sequence[AttendanceWrite],
    actor: Actor,
) -> list[dict[str, Any]]:
    duration = int((session["ends_at"] - session["starts_at"]).total_seconds() // 60)
    now = clock.now()
    seen: set[uuid.UUID] = set()
    rows: list[dict[str, Any]] = []
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


def record_attendance_rows(
    db: Session, actor: Actor, session_id: uuid.UUID, items: Sequence[AttendanceWrite]
) -> list[dict[str, Any]]:
    """Record attendance for some or all of the roster.

    Re-sending replaces the earlier records of the enrollments listed; the others
    stay. A fixed number of statements whatever the roster's size.
    """
    connection = db.connection()
    found = connection.execute(_LOCKED_SESSION, {"session_id": session_id}).mappings().first()
    session = recordable(actor, found)
    rostered = set(connection.execute(_ROSTER, {"session_id": session_id}).scalars())
    rows = attendance_rows(session, rostered, items, actor)
    saved = _replace(connection, session, rows) if rows else None
    # An ORM copy of the session loaded earlier in this request holds stale attendance.
    loaded = db.identity_map.get(identity_key(TreatmentSession, session_id))
    if loaded is not None:
        db.expire(loaded, ["attendance"])
    if saved is None:
        saved = as_dicts(connection.execute(_SAVED, {"session_id": session_id}))
    record(
        db,
        actor,
        "attendance.write",
        "session",
        session_id,
        detail={"enrollment_ids": [str(row["enrollment_id"]) for row in rows]},
        resource_ids=[session_id],
    )
    return saved


def record_attendance(
    db: Session, actor: Actor, session_id: uuid.UUID, items: Sequence[AttendanceWrite]
) -> list[AttendanceRead]:
    """`record_attendance_rows`, as read models."""
    return _RECORDS.validate_python(record_attendance_rows(db, actor, session_id, items))
