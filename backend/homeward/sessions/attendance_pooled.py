"""Attendance saved from the event loop: on the server's pool of PostgreSQL connections.

A 30-person save through the request's Session cost a worker-thread hop, the ORM's
transaction bookkeeping and five statements. Here it is one transaction of two
statements: the session locked and read with its roster, then, once the list is
checked (by the same rules as `attendance.record_attendance`), the records written,
the audit event inserted and the session's records read back, together. Without a
pool (SQLite, and tests' rolled-back transactions) `save_attendance` runs the Session's
`attendance.record_attendance_rows` in a worker thread.
"""

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import anyio.to_thread
import orjson
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.orm import Session

from homeward.audit.reads import event_insert_sql, event_parameters
from homeward.audit.service import Actor, audit_event
from homeward.db import dict_maker
from homeward.json_pages import PageWriter
from homeward.sessions.attendance import attendance_rows, record_attendance_rows, recordable
from homeward.sessions.schemas import AttendanceRead, AttendanceWrite

_SAVED_COLUMNS = ", ".join(AttendanceRead.model_fields)

# Locked as the Session path locks it: of two saves of the same session at once, the
# second waits, then reads the roster and replaces the records as the first left them.
_LOCKED_SESSION_AND_ROSTER = """
SELECT s.id, s.session_type, s.status, s.starts_at, s.ends_at,
       ARRAY(SELECT r.enrollment_id FROM session_roster AS r WHERE r.session_id = s.id)
FROM treatment_sessions AS s
WHERE s.id = %(session_id)s
FOR UPDATE OF s
"""
_SESSION_COLUMNS = ("id", "session_type", "status", "starts_at", "ends_at")

# The list goes as one JSON text rather than an array per column: psycopg dumps arrays
# value by value in Python (py-spy put that at a sixth of the server's time).
# Rows a CTE writes are not visible to the same statement's reads of the table: the
# session's records are the rows written, and those of the enrollments not listed.
_WRITE_AND_READ_BACK = f"""
WITH listed AS (
    SELECT * FROM json_to_recordset(CAST(%(listed)s AS json))
         AS listed (enrollment_id uuid, status varchar, minutes_attended integer, note text)
), written AS (
    INSERT INTO attendance (session_id, enrollment_id, status, minutes_attended, note,
                            recorded_by_id, recorded_at)
    SELECT %(session_id)s, listed.enrollment_id, listed.status, listed.minutes_attended,
           listed.note, %(recorded_by_id)s, %(recorded_at)s
    FROM listed
    ON CONFLICT (session_id, enrollment_id) DO UPDATE SET
        status = excluded.status, minutes_attended = excluded.minutes_attended,
        note = excluded.note, recorded_by_id = excluded.recorded_by_id,
        recorded_at = excluded.recorded_at
    RETURNING {_SAVED_COLUMNS}
), audit AS ({event_insert_sql()})
SELECT {_SAVED_COLUMNS} FROM written
UNION ALL
SELECT {_SAVED_COLUMNS} FROM attendance
WHERE session_id = %(session_id)s AND enrollment_id NOT IN (SELECT enrollment_id FROM listed)
ORDER BY enrollment_id
"""
_LISTED_KEYS = ("enrollment_id", "status", "minutes_attended", "note")
_saved_record = dict_maker(tuple(AttendanceRead.model_fields))
_RECORDS_JSON = PageWriter(AttendanceRead)


async def _locked_session(
    connection: AsyncConnection[Any], session_id: uuid.UUID
) -> tuple[dict[str, Any] | None, set[uuid.UUID]]:
    cursor = await connection.execute(_LOCKED_SESSION_AND_ROSTER, {"session_id": session_id})
    row = await cursor.fetchone()
    if row is None:
        return None, set()
    return dict(zip(_SESSION_COLUMNS, row[:-1], strict=True)), set(row[-1])


async def save_attendance(
    pool: AsyncConnectionPool[AsyncConnection[Any]] | None,
    session: Callable[[], Session],
    actor: Actor,
    session_id: uuid.UUID,
    items: Sequence[AttendanceWrite],
) -> bytes:
    """The session's attendance records as JSON, after saving `items`: on `pool` where the
    server has one, else on the Session `session()` opens."""
    if pool is not None:
        rows = await _record_on_pool(pool, actor, session_id, items)
    else:
        rows = await anyio.to_thread.run_sync(
            record_attendance_rows, session(), actor, session_id, items
        )
    return _RECORDS_JSON.array(rows)


async def _record_on_pool(
    pool: AsyncConnectionPool[AsyncConnection[Any]],
    actor: Actor,
    session_id: uuid.UUID,
    items: Sequence[AttendanceWrite],
) -> list[dict[str, Any]]:
    """`attendance.record_attendance`, on a pooled connection: the session's records."""
    async with pool.connection() as connection, connection.transaction():
        found, rostered = await _locked_session(connection, session_id)
        rows = attendance_rows(recordable(actor, found), rostered, items, actor)
        event = audit_event(
            actor,
            "attendance.write",
            "session",
            session_id,
            # UUIDs, not their text: orjson writes them as the same strings, for less.
            detail={"enrollment_ids": [row["enrollment_id"] for row in rows]},
        )
        cursor = await connection.execute(
            _WRITE_AND_READ_BACK,
            {
                "session_id": session_id,
                "recorded_by_id": actor.id,
                "recorded_at": rows[0]["recorded_at"],
                "listed": orjson.dumps(
                    [{key: row[key] for key in _LISTED_KEYS} for row in rows]
                ).decode(),
                **event_parameters(event),
            },
        )
        saved = await cursor.fetchall()
    return list(map(_saved_record, saved))
