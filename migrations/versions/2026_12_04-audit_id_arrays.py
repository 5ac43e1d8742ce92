"""audit: the ids a list's event names are uuid[] on PostgreSQL

Revision ID: 0025_audit_id_arrays
Revises: 0024_session_list_disclosures
Create Date: 2026-12-04 23:30:00

Every read of a list writes its event's `patient_ids` or `resource_ids`, and the sealer
writes the row again when it links it. As JSONB text an id took about 40 bytes, in
the row and in its GIN index; as `uuid[]` it takes 16. The ids keep their order (a
UUID sorts as its text does), and read back as the same text (`audit/id_lists.py`),
so the hashes of linked events still verify. SQLite keeps JSON: nothing to do there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025_audit_id_arrays"
down_revision: str | None = "0024_session_list_disclosures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("patient_ids", "resource_ids")
# ALTER ... USING takes no subquery; a function may hold one. STRICT: null stays null.
_TO_UUIDS = """
CREATE FUNCTION pg_temp.audit_uuids(ids jsonb) RETURNS uuid[] LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT coalesce(array_agg(id::uuid ORDER BY place), '{}')
    FROM jsonb_array_elements_text(ids) WITH ORDINALITY AS listed (id, place)
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_TO_UUIDS)
    for column in _COLUMNS:
        op.drop_index(f"ix_audit_events_{column}", table_name="audit_events")
        op.execute(
            f"ALTER TABLE audit_events ALTER COLUMN {column} TYPE uuid[] "
            f"USING pg_temp.audit_uuids({column})"
        )
        op.create_index(
            f"ix_audit_events_{column}", "audit_events", [column], postgresql_using="gin"
        )
    op.execute("DROP FUNCTION pg_temp.audit_uuids(jsonb)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in _COLUMNS:
        op.drop_index(f"ix_audit_events_{column}", table_name="audit_events")
        op.execute(
            f"ALTER TABLE audit_events ALTER COLUMN {column} TYPE jsonb "
            f"USING to_jsonb({column}::text[])"
        )
    op.create_index(
        "ix_audit_events_patient_ids",
        "audit_events",
        ["patient_ids"],
        postgresql_using="gin",
        postgresql_ops={"patient_ids": "jsonb_path_ops"},
    )
    op.create_index(
        "ix_audit_events_resource_ids", "audit_events", ["resource_ids"], postgresql_using="gin"
    )
