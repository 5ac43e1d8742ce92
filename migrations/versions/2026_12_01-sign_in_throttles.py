"""auth: sign-in throttles by account, address and trusted browser; the revocation counter

Revision ID: 0015_sign_in_throttles
Revises: 0017_audit_patient_ids
Create Date: 2026-12-01 23:50:00

`login_throttles` counted failures per email only, read and then written back, so
parallel attempts lost counts. `sign_in_throttles` counts under any key (an account, an
address, a trusted browser of an account) with one upsert. `known_sign_ins` remembers
the browsers and addresses that signed into an account, which a lock of that account
does not shut out. `sign_in_revocations` is the one-row counter that every sign-out,
deactivation and role change raises, so every server process notices within a second.

Counts in flight when this runs are dropped: at worst an attacker's window starts anew.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import homeward.db

revision: str = "0015_sign_in_throttles"
down_revision: str | None = "0017_audit_patient_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("login_throttles")
    op.create_table(
        "sign_in_throttles",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", homeward.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", homeward.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttles")),
    )
    op.create_table(
        "known_sign_ins",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("last_signed_in_at", homeward.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_known_sign_ins_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", "value_hash", name=op.f("pk_known_sign_ins")),
    )
    revocations = op.create_table(
        "sign_in_revocations",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_revocations")),
    )
    op.bulk_insert(revocations, [{"id": 1, "counter": 0}])


def downgrade() -> None:
    op.drop_table("sign_in_revocations")
    op.drop_table("known_sign_ins")
    op.drop_table("sign_in_throttles")
    op.create_table(
        "login_throttles",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", homeward.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("locked_until", homeward.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_login_throttles")),
    )
