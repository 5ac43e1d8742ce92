import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homeward.db import Base, Timestamped, UUIDPrimaryKey, utcnow


class Partner(UUIDPrimaryKey, Timestamped, Base):
    """A partner rehab facility that integrates over the API."""

    __tablename__ = "partners"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    contact_email: Mapped[str] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(default=True)

    api_keys: Mapped[list["PartnerApiKey"]] = relationship(
        back_populates="partner", order_by="PartnerApiKey.created_at"
    )


class PartnerApiKey(UUIDPrimaryKey, Base):
    """Only a hash of the key is kept; the key itself is shown once, when created."""

    __tablename__ = "partner_api_keys"

    partner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    partner: Mapped[Partner] = relationship(back_populates="api_keys")
