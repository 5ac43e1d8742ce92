"""Attendance saved from the event loop: on the server's pool of PostgreSQL connections.

The list is checked in Python (by the same rules as `attendance.record_attendance`)
against the session and its roster as last read. Then one statement, its own
transaction, has `save_attendance` (migration 0012) save it and read the session's
records back, with the audit event, once it has made sure, under the session's row
lock, that the session is still as it was read; each record's reference to its roster
entry makes sure of the roster. The lock is held only while that statement runs: a
second save of the same session waits for no round trip of the first's.

The session as last read is kept in this process (`_recently_read`), so a save of a
session saved before takes that one statement. Nothing is decided on a kept copy but
success: a refusal is decided again on a fresh read, and a save that finds the session
or roster changed is checked and saved again, inside a transaction that holds the lock
from the read on.

Without a pool (SQLite) `save_attendance` runs the Session's
`attendance.record_attendance_rows` in a worker thread. The tests on PostgreSQL run
this module's path, on their own connection (`read_pool.LentPool`).
"""

import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from psycopg import AsyncConnection, errors
from sqlalchemy import Select, Uuid, bindparam, exists, func, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.orm import Session

from homeward.audit.composed import AUDIT_TABLE, Composed, event_insert, event_parameters
from homeward.audit.service import Actor, audit_event
from homeward.db import dict_maker
from homeward.errors import DomainError
from homeward.read_pool import ReadPool
from homeward.sessions.attendance import (
    SAVE_ATTENDANCE,
    attendance_rows,
    record_attendance_rows,
    recordable,
    save_parameters,
)
from homeward.sessions.models import RosterEntry, TreatmentSession
from homeward.sessions.schemas import AttendanceRead, AttendanceWrite

# The SQLSTATE `save_attendance` raises when the session is no longer as it was read.
SESSION_CHANGED = "HWA01"

_SESSION_COLUMNS = ("id", "session_type", "status", "starts_at", "ends_at")
_SESSION_AND_ROSTER = select(
    *[TreatmentSession.__table__.c[name] for name in _SESSION_COLUMNS],
    select(func.array_agg(RosterEntry.enrollment_id))
    .where(RosterEntry.session_id == TreatmentSession.id)
    .scalar_subquery(),
).where(TreatmentSession.id == bindparam("session_id", type_=Uuid))
_READ = Composed.of(_SESSION_AND_ROSTER)
_READ_LOCKED = Composed.of(_SESSION_AND_ROSTER.with_for_update(of=TreatmentSession))


def _save_statement() -> Select[Any]:
    """`SAVE_ATTENDANCE`, with the audit event, as one statement."""
    saved = SAVE_ATTENDANCE.cte("saved")
    # The event names the session it saves, from the id the save binds: its patients
    # are found on the roster (`attendance.py`).
    session_ids = array([bindparam("session_id", type_=Uuid)])
    event = event_insert().values(resource_ids=session_ids)
    audit = event.returning(AUDIT_TABLE.c.id).cte("audit")
    # The event needs nothing the save returns, so it goes in first (an uncorrelated
    # EXISTS runs once, before the rows it filters): the save's row lock, which a second
    # save of the session waits on, is then held for the save and the commit alone.
    return select(*saved.c).where(exists(select(audit.c.id)))


_SAVE = Composed.of(_save_statement())
_saved_record = dict_maker(tuple(AttendanceRead.model_fields))


@dataclass(frozen=True, slots=True)
class _SessionAsRead:
    session: dict[str, Any] | None  # None: there was no such session
    roster: frozenset[uuid.UUID]


class _RecentlyRead:
    """The last `size` sessions read, most recent last. Used from the event loop only."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._sessions: OrderedDict[uuid.UUID, _SessionAsRead] = OrderedDict()

    def get(self, session_id: uuid.UUID) -> _SessionAsRead | None:
        found = self._sessions.get(session_id)
        if found is not None:
            self._sessions.move_to_end(session_id)
        return found

    def keep(self, session_id: uuid.UUID, read: _SessionAsRead) -> None:
        self._sessions[session_id] = read
        self._sessions.move_to_end(session_id)
        if len(self._sessions) > self.size:
            self._sessions.popitem(last=False)


# A clinic's sessions of the day, many times over.
_recently_read = _RecentlyRead(512)


class _SessionChanged(Exception):
    """The session or its roster is no longer as the list was checked against."""


async def save_attendance(
    pool: ReadPool | None,
    session: Callable[[], Session],
    actor: Actor,
    session_id: uuid.UUID,
    items: Sequence[AttendanceWrite],
) -> list[dict[str, Any]]:
    """The session's attendance records, as `AttendanceRead` names their fields, after
    saving `items`: on `pool` where the server has one, else on the Session `session()`
    opens."""
    if pool is not None:
        rows = await _record_on_pool(pool, actor, session_id, items)
    else:
        rows = await anyio.to_thread.run_sync(
            record_attendance_rows, session(), actor, session_id, items
        )
    return rows


async def _record_on_pool(
    pool: ReadPool,
    actor: Actor,
    session_id: uuid.UUID,
    items: Sequence[AttendanceWrite],
) -> list[dict[str, Any]]:
    """`attendance.record_attendance`, on a pooled connection: the session's records."""
    async with pool.connection() as connection:
        kept = _recently_read.get(session_id)
        if kept is not None:
            try:
                return await _check_and_save(connection, actor, kept, items)
            except (DomainError, _SessionChanged):
                pass  # decided again on what the database holds now
        try:
            read = await _read(connection, _READ, session_id)
            return await _check_and_save(connection, actor, read, items)
        except _SessionChanged:
            pass
        async with connection.transaction():
            read = await _read(connection, _READ_LOCKED, session_id)
            return await _check_and_save(connection, actor, read, items)


async def _read(
    connection: AsyncConnection[Any], statement: Composed, session_id: uuid.UUID
) -> _SessionAsRead:
    cursor = await connection.execute(
        statement.sql, statement.parameters({"session_id": session_id}), binary=True
    )
    row = await cursor.fetchone()
    if row is None:
        return _SessionAsRead(None, frozenset())
    read = _SessionAsRead(
        dict(zip(_SESSION_COLUMNS, row[:-1], strict=True)), frozenset(row[-1] or ())
    )
    _recently_read.keep(session_id, read)
    return read


async def _check_and_save(
    connection: AsyncConnection[Any],
    actor: Actor,
    read: _SessionAsRead,
    items: Sequence[AttendanceWrite],
) -> list[dict[str, Any]]:
    session = recordable(actor, read.session)
    rows = attendance_rows(session, read.roster, items, actor)
    event = audit_event(
        actor,
        "attendance.write",
        "session",
        session["id"],
        # UUIDs, not their text: orjson writes them as the same strings, for less.
        detail={"enrollment_ids": [row["enrollment_id"] for row in rows]},
    )
    parameters = {**save_parameters(session, rows), **event_parameters(event)}
    try:
        cursor = await connection.execute(_SAVE.sql, _SAVE.parameters(parameters), binary=True)
    except errors.ForeignKeyViolation as error:
        # An enrollment listed was taken off the roster (or deleted) since it was read.
        raise _SessionChanged() from error
    except errors.Error as error:
        if error.sqlstate == SESSION_CHANGED:
            raise _SessionChanged() from error
        raise
    return list(map(_saved_record, await cursor.fetchall()))
