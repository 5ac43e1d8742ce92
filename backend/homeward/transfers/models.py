import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homeward.db import Base, Timestamped, UUIDPrimaryKey, str_enum, utcnow

# A document's size limit: 10 MiB.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


class TransferStatus(StrEnum):
    received = "received"
    under_review = "under_review"
    info_requested = "info_requested"
    accepted = "accepted"
    waitlisted = "waitlisted"
    declined = "declined"
    cancelled = "cancelled"
    admitted = "admitted"
    completed = "completed"
    discharged = "discharged"


# Still waiting for intake's decision: what the inbox shows first, and what may be cancelled.
OPEN_STATUSES = (
    TransferStatus.received,
    TransferStatus.under_review,
    TransferStatus.info_requested,
    TransferStatus.waitlisted,
)
# What the partner learns only under the patient's consent to status updates.
AFTER_ACCEPTANCE = (
    TransferStatus.accepted,
    TransferStatus.admitted,
    TransferStatus.completed,
    TransferStatus.discharged,
)


class DeclineReason(StrEnum):
    no_capacity = "no_capacity"
    clinical_needs_higher_level = "clinical_needs_higher_level"
    medical_first = "medical_first"
    detox_first = "detox_first"
    not_eligible = "not_eligible"
    could_not_contact = "could_not_contact"
    patient_declined = "patient_declined"
    referred_elsewhere = "referred_elsewhere"
    other = "other"


class DocumentKind(StrEnum):
    discharge_summary = "discharge_summary"
    medication_list = "medication_list"


class MessageAuthor(StrEnum):
    partner = "partner"
    intake = "intake"


class Transfer(UUIDPrimaryKey, Timestamped, Base):
    """A partner facility's request to admit a resident it just discharged."""

    __tablename__ = "transfers"

    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partners.id", ondelete="RESTRICT"))
    status: Mapped[TransferStatus] = mapped_column(
        str_enum(TransferStatus, 16), default=TransferStatus.received
    )
    # The resident as the partner sent it; the matching fields also have columns of their own.
    resident: Mapped[dict[str, Any]] = mapped_column(JSON)
    resident_reference: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date]
    discharge: Mapped[dict[str, Any]] = mapped_column(JSON)
    requested_program_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("programs.id", ondelete="RESTRICT")
    )
    preferred_start_date: Mapped[date | None]
    screening: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    screening_outcome: Mapped[str | None] = mapped_column(String(32))
    consent: Mapped[dict[str, Any]] = mapped_column(JSON)
    partner_contact: Mapped[dict[str, Any]] = mapped_column(JSON)
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    first_response_at: Mapped[datetime | None]
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id", ondelete="RESTRICT"), index=True
    )
    enrollment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("enrollments.id", ondelete="RESTRICT"), unique=True
    )
    consent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("consents.id", ondelete="RESTRICT")
    )

    documents: Mapped[list["TransferDocument"]] = relationship(
        order_by="TransferDocument.created_at", viewonly=True
    )
    messages: Mapped[list["TransferMessage"]] = relationship(
        order_by="TransferMessage.created_at", viewonly=True
    )

    __table_args__ = (
        # The staff inbox: by status, oldest first; a partner's list: its own, newest first.
        Index("ix_transfers_status_created_at_id", "status", "created_at", "id"),
        Index("ix_transfers_partner_id_created_at_id", "partner_id", "created_at", "id"),
        Index("ix_transfers_created_at_id", "created_at", "id"),
        Index("ix_transfers_partner_id_resident_reference", "partner_id", "resident_reference"),
        Index("ix_transfers_family_name_date_of_birth", "family_name", "date_of_birth"),
    )


class TransferDocument(UUIDPrimaryKey, Base):
    """A PDF the partner sent with a transfer: a discharge summary or a medication list."""

    __tablename__ = "transfer_documents"

    transfer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("transfers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, 32))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TransferMessage(UUIDPrimaryKey, Base):
    """One message of the thread between the partner and intake about a transfer."""

    __tablename__ = "transfer_messages"

    transfer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("transfers.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[MessageAuthor] = mapped_column(str_enum(MessageAuthor, 16))
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
