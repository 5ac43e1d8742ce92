import uuid
from datetime import date

from pydantic import Field

from homeward.enrollments.models import EventKind, ScreenResult
from homeward.schemas import ReadModel
from homeward.tapering.rules import Metric


class MetricValue(ReadModel):
    metric: Metric
    window_days: int | None
    value: float | None = Field(description="null when there is no data")


class CurrentProgress(ReadModel):
    as_of: date
    metrics: list[MetricValue] = Field(
        description="Every tapering metric, over 7, 14 and 28 days where a window applies"
    )
    unrecorded_sessions: int = Field(
        description="Rostered sessions that ended in the last 28 days with no attendance yet"
    )


class WeekEvent(ReadModel):
    id: uuid.UUID
    kind: EventKind
    occurred_on: date
    result: ScreenResult | None


class ProgressWeek(ReadModel):
    week_start: date = Field(description="Monday, program time")
    phase_id: uuid.UUID | None
    phase_name: str | None
    planned_hours_per_week: float | None = Field(description="What that week's phase plans")
    level_hours_min: float | None = Field(description="The level of care's weekly minimum")
    hours_scheduled: float
    hours_attended: float
    attendance_rate: float | None
    unrecorded_sessions: int
    homework_due: int
    homework_completed: int
    events: list[WeekEvent]


class ProgressRead(ReadModel):
    enrollment_id: uuid.UUID
    program_id: uuid.UUID
    timezone: str
    weeks: list[ProgressWeek] = Field(description="Oldest first; the last is the current week")
    current: CurrentProgress
