import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from homeward.audit.id_lists import IdList
from homeward.db import Base, UUIDPrimaryKey, utcnow

LINKED = text("seq IS NOT NULL")


def linked_index(column: str, **options: Any) -> Index:
    """`column`'s index over linked events only (on both databases)."""
    name = f"ix_audit_events_{column}"
    return Index(name, column, postgresql_where=LINKED, sqlite_where=LINKED, **options)


class AuditEvent(UUIDPrimaryKey, Base):
    """Append-only. `hash` covers this row and `prev_hash`, so edits and deletions show.

    `seq`, `prev_hash` and `hash` are assigned when the event is linked into the chain,
    shortly after its transaction commits (see `homeward.audit.chain`).
    """

    __tablename__ = "audit_events"
    # The trail is searched once linked (`list_events` links first), so only linked rows
    # are indexed: a request's insert writes the row, its id and its empty link, and the
    # sealer, which writes the row again to link it, makes its index entries once (a
    # list's event names up to a page of ids in its GIN entries).
    __table_args__ = (
        # `@>` (a patient among those shown) and `&&` (any of a patient's sessions).
        *(
            linked_index(column, postgresql_using="gin")
            for column in ("patient_ids", "resource_ids")
        ),
        *(
            linked_index(column)
            for column in ("occurred_at", "actor_id", "resource_type", "patient_id")
        ),
    )

    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(80))
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[str | None] = mapped_column(String(64))
    patient_id: Mapped[uuid.UUID | None]
    # A list's event: every patient it showed, as sorted UUID strings (`patient_id` names
    # the one patient a list was filtered to, or a single read's).
    patient_ids: Mapped[list[str] | None] = mapped_column(IdList())
    # A list's event whose rows are about several patients each (sessions and their
    # rosters): the rows it showed, as sorted UUID strings; their patients are read
    # through them as they stood when it was read (`homeward.audit.accounting`).
    resource_ids: Mapped[list[str] | None] = mapped_column(IdList())
    outcome: Mapped[str] = mapped_column(String(16))
    ip: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, object] | None] = mapped_column(JSON)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
