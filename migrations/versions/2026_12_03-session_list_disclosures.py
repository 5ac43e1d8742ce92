"""audit: a session list names the sessions it showed; rosters keep their history

Revision ID: 0024_session_list_disclosures
Revises: 0023_save_attendance_rows
Create Date: 2026-12-03 13:00:00

A session list used to name, on its event, every patient on its sessions' rosters: for
a clinic's day, thousands of ids aggregated, stored and indexed on every read of the
schedule. It now names the sessions (`resource_ids`), and the accounting of who read a
patient's data finds it through the rosters as they stood when it was read: current
entries, and those rostering took away since (`session_roster_removals`). Entries are
dated to the second, as events are, so the two compare.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0024_session_list_disclosures"
down_revision: str | None = "0023_save_attendance_rows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "audit_events",
        sa.Column("resource_ids", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
    )
    op.create_index(
        "ix_audit_events_resource_ids", "audit_events", ["resource_ids"], postgresql_using="gin"
    )
    op.create_table(
        "session_roster_removals",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(),
            primary_key=True,
        ),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("session_id", "enrollment_id"):
        op.create_index(f"ix_session_roster_removals_{column}", "session_roster_removals", [column])


def downgrade() -> None:
    for column in ("session_id", "enrollment_id"):
        op.drop_index(f"ix_session_roster_removals_{column}", table_name="session_roster_removals")
    op.drop_table("session_roster_removals")
    op.drop_index("ix_audit_events_resource_ids", table_name="audit_events")
    op.drop_column("audit_events", "resource_ids")
