"""homework: the due-date index carries what the tapering metrics count (PostgreSQL)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 07:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_homework_due_at", table_name="homework")
    op.create_index(
        "ix_homework_due_at",
        "homework",
        ["due_at"],
        postgresql_include=["enrollment_id", "status", "submitted_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_homework_due_at", table_name="homework")
    op.create_index("ix_homework_due_at", "homework", ["due_at"])
