import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import Field, model_validator

from homeward.fields import Clearable, Integer, LocalTime, Number, Text, Timezone
from homeward.programs.levels import LevelOfCare, Population
from homeward.programs.models import SessionType
from homeward.schemas import InputModel, ReadModel, UpdateModel

Name = Annotated[str, Text(min_length=1, max_length=200)]
Description = Annotated[str, Text(max_length=5000, multiline=True)]
Room = Annotated[str, Text(max_length=100)]
Hours = Annotated[Number, Field(ge=0, le=168)]
Capacity = Annotated[Integer, Field(ge=1, le=10_000)]
LengthDays = Annotated[Integer, Field(ge=30, le=90)]
SlotCapacity = Annotated[Integer, Field(ge=1, le=500)]
Weekday = Annotated[Integer, Field(ge=0, le=6, description="0 = Monday")]
Order = Annotated[Integer, Field(ge=1, le=100)]
SessionsPerWeek = Annotated[Integer, Field(ge=0, le=14)]
MinDays = Annotated[Integer, Field(ge=0, le=365)]


class ProgramBase(InputModel):
    name: Name
    description: Description = ""
    level_of_care: LevelOfCare
    population: Population = Population.adult
    capacity: Capacity
    timezone: Timezone
    default_length_days: LengthDays = 60
    services_offered: Annotated[list[SessionType], Field(max_length=6)] = []
    accepts_step_down: bool = True
    min_hours_per_week: Hours | None = Field(
        default=None, description="Overrides the level of care's weekly minimum"
    )
    max_hours_per_week: Hours | None = Field(
        default=None, description="Overrides the level of care's weekly ceiling (exclusive)"
    )


class ProgramCreate(ProgramBase):
    @model_validator(mode="after")
    def _band_in_order(self) -> Self:
        low, high = self.min_hours_per_week, self.max_hours_per_week
        if low is not None and high is not None and high <= low:
            raise ValueError("max_hours_per_week must be above min_hours_per_week")
        return self


class ProgramUpdate(UpdateModel):
    name: Name | None = None
    description: Description | None = None
    level_of_care: LevelOfCare | None = None
    population: Population | None = None
    capacity: Capacity | None = None
    timezone: Timezone | None = None
    default_length_days: LengthDays | None = None
    services_offered: Annotated[list[SessionType], Field(max_length=6)] | None = None
    accepts_step_down: bool | None = None
    archived: bool | None = None
    min_hours_per_week: Annotated[Hours | None, Clearable()] = None
    max_hours_per_week: Annotated[Hours | None, Clearable()] = None


class ProgramRead(ReadModel):
    id: uuid.UUID
    name: str
    description: str
    level_of_care: LevelOfCare
    level_of_care_edition: str
    population: Population
    capacity: int
    timezone: str
    default_length_days: int
    services_offered: list[SessionType]
    accepts_step_down: bool
    archived: bool
    min_hours_per_week: float | None
    max_hours_per_week: float | None
    level_hours_min: float | None = Field(description="Effective weekly minimum (inclusive)")
    level_hours_max: float | None = Field(description="Effective weekly ceiling (exclusive)")
    version: int
    created_at: datetime
    updated_at: datetime


class SlotBase(InputModel):
    weekday: Weekday
    start_time: LocalTime
    end_time: LocalTime
    session_type: SessionType
    title: Name
    facilitator_id: uuid.UUID | None = None
    room: Room | None = None
    capacity: SlotCapacity | None = None


class SlotCreate(SlotBase):
    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.end_time <= self.start_time:
            raise ValueError("end_time must be after start_time")
        return self


class SlotUpdate(UpdateModel):
    weekday: Weekday | None = None
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    session_type: SessionType | None = None
    title: Name | None = None
    facilitator_id: Annotated[uuid.UUID | None, Clearable()] = None
    room: Annotated[Room | None, Clearable()] = None
    capacity: Annotated[SlotCapacity | None, Clearable()] = None


class SlotRead(ReadModel):
    id: uuid.UUID
    program_id: uuid.UUID
    weekday: int
    start_time: LocalTime
    end_time: LocalTime
    session_type: SessionType
    title: str
    facilitator_id: uuid.UUID | None
    room: str | None
    capacity: int | None


class PhaseCreate(InputModel):
    name: Name
    order: Order | None = Field(
        default=None, description="1-based position; appended at the end when omitted"
    )
    slot_ids: Annotated[list[uuid.UUID], Field(max_length=200)] = []
    individual_sessions_per_week: SessionsPerWeek = 0
    min_days: MinDays = 0


class PhaseUpdate(UpdateModel):
    name: Name | None = None
    order: Order | None = None
    slot_ids: Annotated[list[uuid.UUID], Field(max_length=200)] | None = None
    individual_sessions_per_week: SessionsPerWeek | None = None
    min_days: MinDays | None = None


class PhaseRead(ReadModel):
    id: uuid.UUID
    program_id: uuid.UUID
    name: str
    order: int
    slot_ids: list[uuid.UUID]
    individual_sessions_per_week: int
    min_days: int
    planned_hours_per_week: float
    level_of_care_warning: str | None


class ProgramDetail(ProgramRead):
    slots: list[SlotRead]
    phases: list[PhaseRead]


class PartnerProgramRead(ReadModel):
    """What a partner facility sees in the catalog: no staff or capacity details."""

    id: uuid.UUID
    name: str
    description: str
    level_of_care: LevelOfCare
    level_of_care_edition: str
    population: Population
    timezone: str
    default_length_days: int
    services_offered: list[SessionType]
    accepts_step_down: bool
