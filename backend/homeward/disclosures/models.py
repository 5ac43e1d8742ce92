import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from homeward.db import Base, UUIDPrimaryKey, utcnow

# The short form of the notice 42 CFR 2.32 requires with each disclosure.
PART2_NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
# 42 CFR 2.24 asks for an accounting of the last three years; rows are never deleted
# before `retain_until`.
RETENTION_YEARS = 3


class Disclosure(UUIDPrimaryKey, Base):
    """One disclosure of a patient's information to a partner: the accounting of disclosures."""

    __tablename__ = "disclosures"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"))
    partner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partners.id", ondelete="RESTRICT"), index=True
    )
    # The recipient's name as it was when disclosed, even if the partner is renamed later.
    recipient_name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    transfer_id: Mapped[uuid.UUID | None]
    consent_id: Mapped[uuid.UUID | None]
    request_id: Mapped[str | None] = mapped_column(String(64))
    notice: Mapped[str] = mapped_column(Text, default=PART2_NOTICE)
    disclosed_at: Mapped[datetime] = mapped_column(default=utcnow)
    retain_until: Mapped[date]

    __table_args__ = (
        Index("ix_disclosures_patient_id_disclosed_at", "patient_id", "disclosed_at", "id"),
    )
