"""homework: the (enrollment_id, due_at) index carries what the tapering metrics count

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 11:45:00

SQLite reads a cohort's homework over a window through this index, enrollment by
enrollment; with status and submission in the key it no longer looks up each row.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _homework_index(columns: list[str]) -> None:
    op.drop_index("ix_homework_enrollment_id_due_at", table_name="homework")
    op.create_index("ix_homework_enrollment_id_due_at", "homework", columns)


def upgrade() -> None:
    _homework_index(["enrollment_id", "due_at", "status", "submitted_at"])


def downgrade() -> None:
    _homework_index(["enrollment_id", "due_at"])
