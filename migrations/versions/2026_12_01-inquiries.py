"""inquiries: the public form's requests for help, and its per-address rate limit

Revision ID: 0022_inquiries
Revises: 0019_transfers
Create Date: 2026-12-02 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import homeward.db

revision: str = "0022_inquiries"
down_revision: str | None = "0019_transfers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inquiries",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column(
            "preferred_contact",
            sa.Enum("phone", "email", name="preferredcontact", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "contacted",
                "converted",
                "closed",
                name="inquirystatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("enrollment_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", homeward.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", homeward.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_inquiries_enrollment_id_enrollments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_inquiries_patient_id_patients"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiries")),
    )
    op.create_index("ix_inquiries_status_created_at", "inquiries", ["status", "created_at"])
    op.create_table(
        "public_requests",
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("requested_at", homeward.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_requests")),
    )
    op.create_index(
        "ix_public_requests_client_hash_requested_at",
        "public_requests",
        ["client_hash", "requested_at"],
    )


def downgrade() -> None:
    op.drop_table("public_requests")
    op.drop_table("inquiries")
