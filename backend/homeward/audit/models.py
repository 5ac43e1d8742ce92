import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from homeward.audit.id_lists import IdList
from homeward.db import Base, UUIDPrimaryKey, utcnow


class AuditEvent(UUIDPrimaryKey, Base):
    """Append-only. `hash` covers this row and `prev_hash`, so edits and deletions show.

    `seq`, `prev_hash` and `hash` are assigned when the event is linked into the chain,
    shortly after its transaction commits (see `homeward.audit.chain`).
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        # `@>` (a patient among those shown) and `&&` (any of a patient's sessions).
        Index("ix_audit_events_patient_ids", "patient_ids", postgresql_using="gin"),
        Index("ix_audit_events_resource_ids", "resource_ids", postgresql_using="gin"),
    )

    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(80))
    resource_type: Mapped[str] = mapped_column(String(40), index=True)
    resource_id: Mapped[str | None] = mapped_column(String(64))
    patient_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
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
