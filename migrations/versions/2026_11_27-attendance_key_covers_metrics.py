"""attendance: the primary key carries status and minutes (PostgreSQL)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(include: str) -> None:
    # One statement: the key's index is rebuilt once, and the table never lacks a key.
    op.execute(
        "ALTER TABLE attendance DROP CONSTRAINT pk_attendance, "
        f"ADD CONSTRAINT pk_attendance PRIMARY KEY (session_id, enrollment_id){include}"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _key(" INCLUDE (status, minutes_attended)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _key("")
