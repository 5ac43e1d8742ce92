import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homeward.db import Base, Timestamped, UUIDPrimaryKey, str_enum, utcnow

if TYPE_CHECKING:
    from homeward.patients.models import Patient
    from homeward.programs.models import Phase, Program


class EnrollmentStatus(StrEnum):
    pending = "pending"
    active = "active"
    on_hold = "on_hold"
    completed = "completed"
    discharged = "discharged"


OPEN_STATUSES = (EnrollmentStatus.pending, EnrollmentStatus.active, EnrollmentStatus.on_hold)
# Census for capacity: the clients who hold a place in the program.
CENSUS_STATUSES = (EnrollmentStatus.active, EnrollmentStatus.on_hold)
_OPEN_SQL = text("status IN ('pending', 'active', 'on_hold')")


class DischargeReason(StrEnum):
    completed = "completed"
    against_medical_advice = "against_medical_advice"
    administrative = "administrative"
    transferred_to_higher_level = "transferred_to_higher_level"
    other = "other"


class ExtensionReason(StrEnum):
    relapse = "relapse"
    needs_more_support = "needs_more_support"
    medical = "medical"
    mental_health = "mental_health"
    other = "other"


class EventKind(StrEnum):
    relapse = "relapse"
    drug_screen = "drug_screen"
    crisis = "crisis"
    medical = "medical"


class ScreenResult(StrEnum):
    positive = "positive"
    negative = "negative"


class Enrollment(UUIDPrimaryKey, Timestamped, Base):
    """A patient in a program."""

    __tablename__ = "enrollments"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="RESTRICT"), index=True
    )
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="RESTRICT"))
    status: Mapped[EnrollmentStatus] = mapped_column(
        str_enum(EnrollmentStatus, 16), default=EnrollmentStatus.pending
    )
    current_phase_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("phases.id", ondelete="RESTRICT"), index=True
    )
    # When the current phase began: days_in_phase is measured from here.
    phase_started_on: Mapped[date | None]
    primary_clinician_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    admitted_on: Mapped[date | None]
    expected_end_on: Mapped[date | None]
    completed_on: Mapped[date | None]
    discharged_on: Mapped[date | None]
    discharge_reason: Mapped[DischargeReason | None] = mapped_column(str_enum(DischargeReason))
    version: Mapped[int] = mapped_column(default=1)

    patient: Mapped["Patient"] = relationship()
    program: Mapped["Program"] = relationship()
    current_phase: Mapped["Phase | None"] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_enrollments_program_id_status", "program_id", "status"),
        # What records that name an enrollment together with its program reference.
        UniqueConstraint("id", "program_id"),
        # The list's keyset order: a page is read in order, not sorted from every match.
        Index("ix_enrollments_created_at_id", "created_at", "id"),
        # A patient holds at most one unfinished enrollment per program, even under races.
        Index(
            "uq_enrollments_open_patient_program",
            "patient_id",
            "program_id",
            unique=True,
            sqlite_where=_OPEN_SQL,
            postgresql_where=_OPEN_SQL,
        ),
    )


class PhaseChange(UUIDPrimaryKey, Base):
    """Append-only phase history: one row per move, admission included (from_phase_id None)."""

    __tablename__ = "phase_changes"

    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    from_phase_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("phases.id", ondelete="RESTRICT")
    )
    to_phase_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("phases.id", ondelete="RESTRICT"))
    effective_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Extension(UUIDPrimaryKey, Base):
    """A lengthened stay: the days added and why."""

    __tablename__ = "extensions"

    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    days: Mapped[int]
    reason: Mapped[ExtensionReason] = mapped_column(str_enum(ExtensionReason))
    note: Mapped[str] = mapped_column(Text, default="")
    previous_end_on: Mapped[date | None]
    new_end_on: Mapped[date]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatusChange(UUIDPrimaryKey, Base):
    """Each lifecycle step of an enrollment (for the timeline)."""

    __tablename__ = "enrollment_status_changes"

    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[EnrollmentStatus | None] = mapped_column(str_enum(EnrollmentStatus, 16))
    to_status: Mapped[EnrollmentStatus] = mapped_column(str_enum(EnrollmentStatus, 16))
    note: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)


class TreatmentPlan(Timestamped, Base):
    """Triggers, coping strategies, goals with objectives, and the long-term sobriety plan."""

    __tablename__ = "treatment_plans"

    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), primary_key=True
    )
    triggers: Mapped[list[str]] = mapped_column(JSON, default=list)
    coping_strategies: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{description, objectives: [str], status}]
    goals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sobriety_plan: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ClinicalEvent(UUIDPrimaryKey, Base):
    """Something clinically relevant on an enrollment: relapse, drug screen, crisis, medical."""

    __tablename__ = "clinical_events"

    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE")
    )
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, 16))
    occurred_on: Mapped[date]
    result: Mapped[ScreenResult | None] = mapped_column(str_enum(ScreenResult, 16))
    substances: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_clinical_events_enrollment_id_occurred_on", "enrollment_id", "occurred_on"),
    )
