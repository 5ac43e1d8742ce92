"""sessions: save_attendance tells the planner it returns a roster's worth of rows

Revision ID: 0023_save_attendance_rows
Revises: 0015_sign_in_throttles
Create Date: 2026-12-03 07:00:00

A set-returning function is planned as 1,000 rows unless it says otherwise. The audit
event that names the patients of the saved records joins them to `enrollments`, and for
1,000 rows the planner hashed every enrollment of the clinic, on every save; for a
roster's worth it looks up each one by its key instead.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023_save_attendance_rows"
down_revision: str | None = "0015_sign_in_throttles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNATURE = (
    "save_attendance(uuid, varchar, varchar, timestamptz, timestamptz, json, uuid, timestamptz)"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER FUNCTION {SIGNATURE} ROWS 30")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER FUNCTION {SIGNATURE} ROWS 1000")
