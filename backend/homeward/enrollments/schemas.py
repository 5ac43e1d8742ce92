import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field

from homeward.enrollments.models import (
    DischargeReason,
    EnrollmentStatus,
    EventKind,
    ExtensionReason,
    ScreenResult,
)
from homeward.fields import Clearable, Day, Integer, Text
from homeward.patients.schemas import PatientSummary
from homeward.schemas import InputModel, ReadModel, UpdateModel

Note = Annotated[str, Text(max_length=2000, multiline=True)]
Reason = Annotated[str, Text(min_length=1, max_length=500, multiline=True)]
Item = Annotated[str, Text(min_length=1, max_length=500)]
Substance = Annotated[str, Text(min_length=1, max_length=100)]


class Caseload(StrEnum):
    mine = "mine"


class ProgramSummary(ReadModel):
    id: uuid.UUID
    name: str
    timezone: str


class PhaseSummary(ReadModel):
    id: uuid.UUID
    name: str
    order: int


class EnrollmentCreate(InputModel):
    patient_id: uuid.UUID
    program_id: uuid.UUID
    primary_clinician_id: uuid.UUID | None = None
    note: Note = ""


class EnrollmentUpdate(UpdateModel):
    primary_clinician_id: Annotated[uuid.UUID | None, Clearable()] = None
    expected_end_on: Day | None = None


class EnrollmentRead(ReadModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    program_id: uuid.UUID
    status: EnrollmentStatus
    current_phase_id: uuid.UUID | None
    phase_started_on: date | None
    primary_clinician_id: uuid.UUID | None
    admitted_on: date | None
    expected_end_on: date | None
    completed_on: date | None
    discharged_on: date | None
    discharge_reason: DischargeReason | None
    version: int
    patient: PatientSummary
    program: ProgramSummary
    current_phase: PhaseSummary | None
    created_at: datetime
    updated_at: datetime


# Actions


class AdmitRequest(InputModel):
    admitted_on: Day | None = Field(default=None, description="Defaults to today, program time")
    override_capacity: bool = Field(
        default=False, description="Admit even at capacity; the override is audited"
    )
    note: Note = ""


class StatusNote(InputModel):
    """Hold and resume: why, for the timeline."""

    note: Note = ""


class CompleteRequest(InputModel):
    completed_on: Day | None = Field(default=None, description="Defaults to today")
    note: Note = ""


class DischargeRequest(InputModel):
    reason: DischargeReason
    discharged_on: Day | None = Field(default=None, description="Defaults to today")
    note: Note = ""


class ChangePhaseRequest(InputModel):
    phase_id: uuid.UUID
    reason: Reason
    effective_on: Day | None = Field(default=None, description="Defaults to today")


class ExtendRequest(InputModel):
    days: Annotated[Integer, Field(ge=1, le=90)]
    reason: ExtensionReason
    note: Note = ""


class PhaseChangeRead(ReadModel):
    id: uuid.UUID
    enrollment_id: uuid.UUID
    from_phase_id: uuid.UUID | None
    from_phase_name: str | None
    to_phase_id: uuid.UUID
    to_phase_name: str
    effective_on: date
    reason: str | None = Field(description="Null for roles that may not read clinical notes")
    changed_by_id: uuid.UUID | None
    created_at: datetime


# Treatment plan


class GoalStatus(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    achieved = "achieved"
    dropped = "dropped"


class Goal(InputModel):
    description: Item
    objectives: Annotated[list[Item], Field(max_length=20)] = []
    status: GoalStatus = GoalStatus.not_started


class TreatmentPlanWrite(InputModel):
    """The whole plan: a PUT replaces every field."""

    triggers: Annotated[list[Item], Field(max_length=50)] = []
    coping_strategies: Annotated[list[Item], Field(max_length=50)] = []
    goals: Annotated[list[Goal], Field(max_length=30)] = []
    sobriety_plan: Annotated[str, Text(max_length=10_000, multiline=True)] = ""


class GoalRead(ReadModel):
    description: str
    objectives: list[str]
    status: GoalStatus


class TreatmentPlanRead(ReadModel):
    enrollment_id: uuid.UUID
    triggers: list[str]
    coping_strategies: list[str]
    goals: list[GoalRead]
    sobriety_plan: str
    version: int
    updated_by_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


# Events


class EventCreate(InputModel):
    kind: EventKind
    occurred_on: Day
    result: ScreenResult | None = Field(default=None, description="drug_screen only, required")
    substances: Annotated[
        list[Substance],
        Field(max_length=20),
    ] = []
    note: Note = ""


class EventRead(ReadModel):
    id: uuid.UUID
    enrollment_id: uuid.UUID
    kind: EventKind
    occurred_on: date
    result: ScreenResult | None
    substances: list[str]
    note: str
    recorded_by_id: uuid.UUID | None
    created_at: datetime


# Timeline


class TimelineKind(StrEnum):
    status_change = "status_change"
    phase_change = "phase_change"
    extension = "extension"
    event = "event"
    homework_review = "homework_review"


class TimelineItem(ReadModel):
    at: datetime = Field(
        description="When it happened: the recorded time, or the start of the day it "
        "happened (program time) when it was recorded on a later day"
    )
    kind: TimelineKind
    summary: str
    resource_id: uuid.UUID
    by_id: uuid.UUID | None = Field(description="The staff member who recorded it")
    detail: dict[str, Any]
