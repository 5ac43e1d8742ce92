"""attendance: each record references its roster entry

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "fk_attendance_session_id_session_roster"


def upgrade() -> None:
    # The application has only ever recorded attendance for rostered enrollments, but
    # a record without its roster entry keeps the record: it is rostered after the fact.
    op.execute(
        sa.text(
            """
            INSERT INTO session_roster (session_id, enrollment_id, added_at)
            SELECT attendance.session_id, attendance.enrollment_id, attendance.recorded_at
            FROM attendance
            WHERE NOT EXISTS (
                SELECT 1 FROM session_roster
                WHERE session_roster.session_id = attendance.session_id
                  AND session_roster.enrollment_id = attendance.enrollment_id
            )
            """
        )
    )
    with op.batch_alter_table("attendance") as batch:
        batch.create_foreign_key(
            NAME,
            "session_roster",
            ["session_id", "enrollment_id"],
            ["session_id", "enrollment_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("attendance") as batch:
        batch.drop_constraint(NAME, type_="foreignkey")
