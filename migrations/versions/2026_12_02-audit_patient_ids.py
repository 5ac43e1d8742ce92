"""audit: the patients a list or search returned, on its event

Revision ID: 0017_audit_patient_ids
Revises: 0022_inquiries
Create Date: 2026-12-02 00:10:00

A list of patient data leaves one event; `patient_ids` names every patient it showed,
so that the accounting of who read a patient's record finds lists as well as single
reads. On PostgreSQL it is JSONB with a GIN index, so `patient_ids @> '["…"]'` finds a
patient's events without reading the whole trail.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017_audit_patient_ids"
down_revision: str | None = "0022_inquiries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "audit_events",
        sa.Column("patient_ids", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
    )
    op.create_index(
        "ix_audit_events_patient_ids",
        "audit_events",
        ["patient_ids"],
        postgresql_using="gin",
        postgresql_ops={"patient_ids": "jsonb_path_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_patient_ids", table_name="audit_events")
    op.drop_column("audit_events", "patient_ids")
