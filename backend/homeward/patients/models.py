import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homeward import clock
from homeward.db import Base, Timestamped, UUIDPrimaryKey, str_enum, utcnow


class Sex(StrEnum):
    female = "female"
    male = "male"
    intersex = "intersex"
    unknown = "unknown"


class ConsentScope(StrEnum):
    status_updates = "status_updates"
    discharge_summary = "discharge_summary"
    attendance = "attendance"


class Patient(UUIDPrimaryKey, Timestamped, Base):
    """A person in care (the UI may say "client")."""

    __tablename__ = "patients"

    mrn: Mapped[str] = mapped_column(String(20), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(index=True)
    sex: Mapped[Sex] = mapped_column(str_enum(Sex, 16), default=Sex.unknown)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    # {detox_status, detox_completed_on, conditions: [{name, kind, treated, serious}],
    #  medications: [...]}
    medical_profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    contacts: Mapped[list["PatientContact"]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="PatientContact.name"
    )
    consents: Mapped[list["Consent"]] = relationship(
        back_populates="patient", order_by="Consent.signed_on"
    )

    __table_args__ = (Index("ix_patients_family_name_given_name", "family_name", "given_name"),)


class PatientContact(UUIDPrimaryKey, Base):
    """A family member or other support person."""

    __tablename__ = "patient_contacts"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    relationship_to_patient: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    joins_family_program: Mapped[bool] = mapped_column(default=False)

    patient: Mapped[Patient] = relationship(back_populates="contacts")


class Consent(UUIDPrimaryKey, Base):
    """A 42 CFR Part 2 consent to disclose to one recipient, for one purpose."""

    __tablename__ = "consents"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    recipient_partner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("partners.id", ondelete="RESTRICT"), index=True
    )
    recipient_name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    signed_on: Mapped[date]
    expires_on: Mapped[date | None]
    revoked_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    patient: Mapped[Patient] = relationship(back_populates="consents")

    def active_on(self, on: date) -> bool:
        """Signed by `on`, not yet expired, and not revoked on or before it."""
        if self.signed_on > on:
            return False
        if self.expires_on is not None and self.expires_on < on:
            return False
        return self.revoked_on is None or self.revoked_on > on

    @property
    def active(self) -> bool:
        return self.active_on(clock.now().date())
