"""Report shapes. Counts and rates only: no report carries patient-identifying data."""

import uuid
from datetime import date, datetime

from pydantic import ConfigDict, Field

from homeward.schemas import ReadModel


class PhaseCensus(ReadModel):
    phase_id: uuid.UUID
    phase_name: str
    order: int
    active: int
    on_hold: int


class CensusFigures(ReadModel):
    active: int
    on_hold: int
    capacity: int
    capacity_used: int = Field(description="Active plus on-hold enrollments: both hold a seat")
    capacity_used_percent: float | None = Field(description="100 * capacity_used / capacity")


class ProgramCensus(CensusFigures):
    program_id: uuid.UUID
    program_name: str
    phases: list[PhaseCensus]


class CensusReport(ReadModel):
    as_of: datetime
    programs: list[ProgramCensus]
    overall: CensusFigures


class DischargesByReason(ReadModel):
    completed: int = 0
    against_medical_advice: int = 0
    administrative: int = 0
    transferred_to_higher_level: int = 0
    other: int = 0


class OutcomeFigures(ReadModel):
    completions: int = Field(description="Enrollments completed in the range")
    discharges: int = Field(description="Enrollments discharged in the range")
    discharges_by_reason: DischargesByReason
    average_length_of_stay_days: float | None = Field(
        description="Admission to completion or discharge, for stays that ended in the range"
    )
    enrollments_in_care: int = Field(description="Admitted enrollments in care during the range")
    enrollments_with_relapse: int = Field(
        description="Of those, how many had a relapse or a positive drug screen in the range"
    )
    relapse_share: float | None = Field(description="enrollments_with_relapse ÷ in care")
    homework_due: int = Field(description="Homework due in the range, and already due")
    homework_submitted: int = Field(description="Of that, submitted (on time or late)")
    homework_completion_rate: float | None = Field(description="submitted ÷ due")


class ProgramOutcomes(OutcomeFigures):
    program_id: uuid.UUID
    program_name: str


class OutcomesReport(ReadModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from", description="First day of the range, inclusive")
    to: date = Field(description="Last day of the range, inclusive")
    programs: list[ProgramOutcomes]
    overall: OutcomeFigures
