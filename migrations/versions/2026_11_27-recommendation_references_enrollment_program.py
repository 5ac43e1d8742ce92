"""tapering recommendations: one reference to the enrollment and its program together

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENROLLMENT_FK = "fk_tapering_recommendations_enrollment_id_enrollments"
PROGRAM_FK = "fk_tapering_recommendations_program_id_programs"
ENROLLMENT_PROGRAM_KEY = "uq_enrollments_id"


def upgrade() -> None:
    with op.batch_alter_table("enrollments") as batch:
        batch.create_unique_constraint(ENROLLMENT_PROGRAM_KEY, ["id", "program_id"])
    # The evaluation has always copied the enrollment's program; should a row disagree,
    # the enrollment is the record of truth.
    op.execute(
        sa.text(
            """
            UPDATE tapering_recommendations
            SET program_id = (
                SELECT enrollments.program_id FROM enrollments
                WHERE enrollments.id = tapering_recommendations.enrollment_id
            )
            WHERE program_id <> (
                SELECT enrollments.program_id FROM enrollments
                WHERE enrollments.id = tapering_recommendations.enrollment_id
            )
            """
        )
    )
    with op.batch_alter_table("tapering_recommendations") as batch:
        batch.drop_constraint(ENROLLMENT_FK, type_="foreignkey")
        batch.drop_constraint(PROGRAM_FK, type_="foreignkey")
        batch.create_foreign_key(
            ENROLLMENT_FK,
            "enrollments",
            ["enrollment_id", "program_id"],
            ["id", "program_id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("tapering_recommendations") as batch:
        batch.drop_constraint(ENROLLMENT_FK, type_="foreignkey")
        batch.create_foreign_key(
            ENROLLMENT_FK, "enrollments", ["enrollment_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_foreign_key(PROGRAM_FK, "programs", ["program_id"], ["id"], ondelete="CASCADE")
    with op.batch_alter_table("enrollments") as batch:
        batch.drop_constraint(ENROLLMENT_PROGRAM_KEY, type_="unique")
