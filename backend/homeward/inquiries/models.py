"""Inquiries from the public form, and the per-address counts that rate limit it."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from homeward.db import Base, Timestamped, UUIDPrimaryKey, str_enum, utcnow


class InquiryStatus(StrEnum):
    new = "new"
    contacted = "contacted"
    converted = "converted"
    closed = "closed"


class PreferredContact(StrEnum):
    phone = "phone"
    email = "email"


class Inquiry(UUIDPrimaryKey, Timestamped, Base):
    """A direct request for help, with its self-check answers and their outcome."""

    __tablename__ = "inquiries"

    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    preferred_contact: Mapped[PreferredContact] = mapped_column(str_enum(PreferredContact, 16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[InquiryStatus] = mapped_column(
        str_enum(InquiryStatus, 16), default=InquiryStatus.new
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id", ondelete="SET NULL")
    )
    enrollment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("enrollments.id", ondelete="SET NULL")
    )

    __table_args__ = (Index("ix_inquiries_status_created_at", "status", "created_at"),)


class PublicRequest(UUIDPrimaryKey, Base):
    """One public form request from an address (kept as a keyed hash), for the rate limit."""

    __tablename__ = "public_requests"

    client_hash: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_public_requests_client_hash_requested_at", "client_hash", "requested_at"),
    )
