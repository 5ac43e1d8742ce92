"""progress: snapshots of the view, and triggers that count changes to its inputs

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 19:00:00

Each trigger adds one to `progress_marks.generation` of every enrollment whose
progress a written row feeds (see `homeward.progress.models`). PostgreSQL counts
once per statement, from its transition tables, so a bulk load costs one upsert
per enrollment rather than per row; SQLite has row triggers only.

Rebuilding a table on SQLite (`batch_alter_table`) drops its triggers: a migration
that rebuilds one of these tables must create its triggers again.
`tests/progress/test_snapshots.py` checks that every one of them still counts.
"""

from collections.abc import Sequence
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


class Feed(NamedTuple):
    """The events of a table that are counted, and whose progress a changed row feeds:
    its own `column`, or else `column` of the rows of `through` that `match` it."""

    events: tuple[str, ...]
    column: str
    through: str | None = None
    match: tuple[str, str] = ("", "")  # (the column of `through`, the changed row's)

    def postgres(self, rows: str) -> str:
        if self.through is None:
            return f"SELECT {rows}.{self.column} FROM {rows}"
        theirs, ours = self.match
        return f"SELECT {self.column} FROM {self.through} JOIN {rows} ON {theirs} = {rows}.{ours}"

    def sqlite(self, row: str) -> str:
        if self.through is None:
            return f"VALUES ({row}.{self.column}, 1)"
        theirs, ours = self.match
        # The WHERE also keeps SQLite from reading ON CONFLICT as a join's.
        return f"SELECT {self.column}, 1 FROM {self.through} WHERE {theirs} = {row}.{ours}"


_EVERY = ("INSERT", "UPDATE", "DELETE")
_PROGRAM = ("enrollments.id", "enrollments", ("enrollments.program_id", "program_id"))
FEEDS = {
    "attendance": Feed(_EVERY, "enrollment_id"),
    "session_roster": Feed(_EVERY, "enrollment_id"),
    "homework": Feed(_EVERY, "enrollment_id"),
    "clinical_events": Feed(_EVERY, "enrollment_id"),
    "phase_changes": Feed(_EVERY, "enrollment_id"),
    "enrollments": Feed(("UPDATE",), "id"),
    "treatment_sessions": Feed(
        ("UPDATE",),
        "session_roster.enrollment_id",
        "session_roster",
        ("session_roster.session_id", "id"),
    ),
    "programs": Feed(
        ("UPDATE",), "enrollments.id", "enrollments", ("enrollments.program_id", "id")
    ),
    # A phase's planned hours are its slots' hours.
    "phases": Feed(_EVERY, *_PROGRAM),
    "slots": Feed(_EVERY, *_PROGRAM),
    "phase_slots": Feed(
        _EVERY,
        "enrollments.id",
        "enrollments JOIN phases ON phases.program_id = enrollments.program_id",
        ("phases.id", "phase_id"),
    ),
}
_COUNT = "ON CONFLICT (enrollment_id) DO UPDATE SET generation = progress_marks.generation + 1"


def _name(table: str, event: str) -> str:
    return f"progress_marks_{table}_{event.lower()}"


def _postgres_upgrade() -> None:
    for table, feed in FEEDS.items():
        for event in feed.events:
            rows = {"INSERT": ["new_rows"], "DELETE": ["old_rows"]}.get(
                event, ["new_rows", "old_rows"]
            )
            fed = " UNION ".join(feed.postgres(row) for row in rows)
            # In one order, so that two statements counting for the same enrollments
            # wait for each other rather than deadlock.
            op.execute(
                f"""
                CREATE FUNCTION {_name(table, event)}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO progress_marks (enrollment_id, generation)
                    SELECT DISTINCT fed.enrollment_id, 1 FROM ({fed}) AS fed (enrollment_id)
                    ORDER BY fed.enrollment_id
                    {_COUNT};
                    RETURN NULL;
                END
                $$
                """
            )
            referencing = " ".join(
                f"{'NEW' if row == 'new_rows' else 'OLD'} TABLE AS {row}" for row in rows
            )
            op.execute(
                f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} "
                f"REFERENCING {referencing} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {_name(table, event)}()"
            )


def _sqlite_upgrade() -> None:
    for table, feed in FEEDS.items():
        for event in feed.events:
            rows = {"INSERT": ["NEW"], "DELETE": ["OLD"]}.get(event, ["NEW", "OLD"])
            counts = " ".join(
                f"INSERT INTO progress_marks (enrollment_id, generation) {feed.sqlite(row)} "
                f"{_COUNT};"
                for row in rows
            )
            op.execute(
                f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} "
                f"FOR EACH ROW BEGIN {counts} END"
            )


def upgrade() -> None:
    op.create_table(
        "progress_marks",
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("enrollment_id", name=op.f("pk_progress_marks")),
    )
    op.create_table(
        "progress_snapshots",
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_progress_snapshots_enrollment_id_enrollments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enrollment_id", "weeks", name=op.f("pk_progress_snapshots")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgres_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, feed in FEEDS.items():
        for event in feed.events:
            op.execute(f"DROP TRIGGER {_name(table, event)}" + (f" ON {table}" if postgres else ""))
            if postgres:
                op.execute(f"DROP FUNCTION {_name(table, event)}()")
    op.drop_table("progress_snapshots")
    op.drop_table("progress_marks")
