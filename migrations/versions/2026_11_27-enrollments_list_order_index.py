"""enrollments: an index in the list's keyset order

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 04:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_enrollments_created_at_id", "enrollments", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_enrollments_created_at_id", table_name="enrollments")
