"""progress: an attendance update counts only records whose status or minutes changed

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 22:00:00

The progress view reads a record's status and minutes, nothing else of it. Re-saving
a session's attendance to correct one note rewrites every record listed; before this,
it also expired the progress of everyone listed. On PostgreSQL the changed records are
those of the new rows that are not among the old ones, compared on the columns the
view reads and the key: a record that is unchanged there appears in both and cancels
out. SQLite's row trigger gets the same test as its WHEN clause.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The key and what `homeward.progress` reads of a record.
WATCHED = ("session_id", "enrollment_id", "status", "minutes_attended")
_NAME = "progress_marks_attendance_update"
_COUNT = "ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1"


def _postgres_function(fed: str) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION {_NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO progress_marks (enrollment_id, generation)
            SELECT DISTINCT fed.enrollment_id, 1 FROM ({fed}) AS fed (enrollment_id)
            ORDER BY fed.enrollment_id
            {_COUNT};
            RETURN NULL;
        END
        $$
        """


def _sqlite_trigger(when: str) -> str:
    counts = " ".join(
        f"INSERT INTO progress_marks (enrollment_id, generation) VALUES ({row}.enrollment_id, 1) "
        f"{_COUNT};"
        for row in ("NEW", "OLD")
    )
    return (
        f"CREATE TRIGGER {_NAME} AFTER UPDATE ON attendance FOR EACH ROW {when} BEGIN {counts} END"
    )


def upgrade() -> None:
    columns = ", ".join(WATCHED)
    if op.get_bind().dialect.name == "postgresql":
        changed = (
            f"(SELECT {columns} FROM new_rows EXCEPT SELECT {columns} FROM old_rows) "
            f"UNION ALL (SELECT {columns} FROM old_rows EXCEPT SELECT {columns} FROM new_rows)"
        )
        op.execute(_postgres_function(f"SELECT changed.enrollment_id FROM ({changed}) AS changed"))
        return
    op.execute(f"DROP TRIGGER {_NAME}")
    differs = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in WATCHED)
    op.execute(_sqlite_trigger(f"WHEN {differs}"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            _postgres_function(
                "SELECT new_rows.enrollment_id FROM new_rows "
                "UNION SELECT old_rows.enrollment_id FROM old_rows"
            )
        )
        return
    op.execute(f"DROP TRIGGER {_NAME}")
    op.execute(_sqlite_trigger(""))
