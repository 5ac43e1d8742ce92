"""attendance: a function that saves a checked list and reads the session's records back

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 21:30:00

PostgreSQL only (`homeward.sessions.attendance_pooled` calls it). The server checks a
list against the session and its roster as it read them, without a lock; this saves
it only if the session is still as it was read, holding the session's row lock from
that check to the commit, and no longer. The roster needs no check here: each record
references its roster entry (0006), so a record for an enrollment taken off the roster
since fails the statement.

A VOLATILE function's statements each see what was committed before they began. The
records read back after the lock are therefore complete, including those of a save of
the same session that committed while this one waited. A single statement could not
give that: all of it reads from the one snapshot taken when it began.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What the caller matches on to check the list again under the lock.
SESSION_CHANGED = "HWA01"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE FUNCTION save_attendance(
            checked_session_id uuid,
            checked_session_type varchar,
            checked_status varchar,
            checked_starts_at timestamptz,
            checked_ends_at timestamptz,
            listed json,
            recorder_id uuid,
            recorded_when timestamptz
        ) RETURNS TABLE (
            enrollment_id uuid,
            status varchar,
            minutes_attended integer,
            note text,
            recorded_by_id uuid,
            recorded_at timestamptz
        ) LANGUAGE plpgsql VOLATILE AS $$
        #variable_conflict use_column
        BEGIN
            PERFORM FROM treatment_sessions AS s
            WHERE s.id = checked_session_id
              AND s.session_type = checked_session_type
              AND s.status = checked_status
              AND s.starts_at = checked_starts_at
              AND s.ends_at = checked_ends_at
            FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'session % changed since its attendance was checked',
                    checked_session_id USING ERRCODE = '{SESSION_CHANGED}';
            END IF;
            INSERT INTO attendance (session_id, enrollment_id, status, minutes_attended, note,
                                    recorded_by_id, recorded_at)
            SELECT checked_session_id, l.enrollment_id, l.status, l.minutes_attended, l.note,
                   recorder_id, recorded_when
            FROM json_to_recordset(listed)
                 AS l (enrollment_id uuid, status varchar, minutes_attended integer, note text)
            ON CONFLICT (session_id, enrollment_id) DO UPDATE SET
                status = excluded.status, minutes_attended = excluded.minutes_attended,
                note = excluded.note, recorded_by_id = excluded.recorded_by_id,
                recorded_at = excluded.recorded_at;
            RETURN QUERY
                SELECT a.enrollment_id, a.status, a.minutes_attended, a.note, a.recorded_by_id,
                       a.recorded_at
                FROM attendance AS a
                WHERE a.session_id = checked_session_id
                ORDER BY a.enrollment_id;
        END
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION save_attendance(uuid, varchar, varchar, timestamptz, timestamptz, "
            "json, uuid, timestamptz)"
        )
