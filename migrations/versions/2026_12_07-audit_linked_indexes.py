"""audit: the trail's indexes cover linked events only

Revision ID: 0026_audit_linked_indexes
Revises: 0025_audit_id_arrays
Create Date: 2026-12-07 17:00:00

A request inserts its event unlinked, and the sealer writes the row again to link it:
every index entry was made twice, a list's GIN entries (up to a page of ids) among
them. The trail is searched once linked, so its indexes now hold linked rows only
(`seq IS NOT NULL`), and each entry is made once, by the sealer. The primary key and
`seq`'s own unique index stay whole: the sealer finds unlinked events by them.
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0026_audit_linked_indexes"
down_revision: str | None = "0025_audit_id_arrays"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LINKED = text("seq IS NOT NULL")
_GIN = ("patient_ids", "resource_ids")
_BTREE = ("occurred_at", "actor_id", "resource_type", "patient_id")


def _recreate(linked: bool) -> None:
    where = {"postgresql_where": _LINKED, "sqlite_where": _LINKED} if linked else {}
    for column in (*_GIN, *_BTREE):
        name = f"ix_audit_events_{column}"
        using = {"postgresql_using": "gin"} if column in _GIN else {}
        op.drop_index(name, table_name="audit_events")
        op.create_index(name, "audit_events", [column], **using, **where)


def upgrade() -> None:
    _recreate(linked=True)


def downgrade() -> None:
    _recreate(linked=False)
