from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from homeward.db import Base, UUIDPrimaryKey, utcnow


class IdempotencyRecord(UUIDPrimaryKey, Base):
    """The first response to a request sent with an `Idempotency-Key`, kept for replays.

    Written in the same transaction as the change the request made, so a response is
    stored exactly when its change is.
    """

    __tablename__ = "idempotency_keys"

    # Whose key it is ("partner:<id>", "user:<id>"): keys are unique per caller only.
    owner: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    # SHA-256 of the method, path and body the key was first used with.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    media_type: Mapped[str] = mapped_column(String(100))
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()

    __table_args__ = (
        UniqueConstraint("owner", "key"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )
