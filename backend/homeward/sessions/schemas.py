import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from homeward.fields import AwareUTCInstant, Clearable, Day, Integer, Text
from homeward.programs.models import SessionType
from homeward.schemas import InputModel, ReadModel, UpdateModel
from homeward.sessions.models import AttendanceStatus, SessionStatus

Title = Annotated[str, Text(min_length=1, max_length=200)]
Room = Annotated[str, Text(max_length=100)]
GroupNote = Annotated[str, Text(min_length=1, max_length=20_000, multiline=True)]
Reason = Annotated[str, Text(min_length=1, max_length=2000, multiline=True)]
Note = Annotated[str, Text(max_length=2000, multiline=True)]
# One attendance PUT covers one session's roster; programs cap groups well below this.
MAX_ROSTER = 500


class ScheduleGenerate(InputModel):
    from_: Day = Field(alias="from", description="First day (program's local date), inclusive")
    to: Day = Field(description="Last day (program's local date), inclusive; at most 92 days")


class ScheduleResult(ReadModel):
    created: int = Field(description="Sessions created")
    existing: int = Field(description="Slot occurrences that already had a session")
    rostered: int = Field(description="Roster entries added (new and existing future sessions)")


class SessionCreate(InputModel):
    program_id: uuid.UUID
    session_type: SessionType
    title: Title
    starts_at: AwareUTCInstant
    ends_at: AwareUTCInstant
    facilitator_id: uuid.UUID | None = None
    room: Room | None = None
    roster: Annotated[list[uuid.UUID], Field(max_length=MAX_ROSTER)] = Field(
        default=[], description="Enrollment ids, all in this program"
    )


class SessionUpdate(UpdateModel):
    title: Title | None = None
    starts_at: AwareUTCInstant | None = None
    ends_at: AwareUTCInstant | None = None
    facilitator_id: Annotated[uuid.UUID | None, Clearable()] = None
    room: Annotated[Room | None, Clearable()] = None


class SessionCancel(InputModel):
    reason: Reason


class GroupNoteWrite(InputModel):
    note: GroupNote


class RosterLine(ReadModel):
    enrollment_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    attendance_status: AttendanceStatus | None = Field(description="None until recorded")
    minutes_attended: int | None


class SessionBase(ReadModel):
    """A session's own fields."""

    id: uuid.UUID
    program_id: uuid.UUID
    slot_id: uuid.UUID | None
    session_type: SessionType
    title: str
    starts_at: datetime
    ends_at: datetime
    facilitator_id: uuid.UUID | None
    room: str | None
    status: SessionStatus
    cancel_reason: str | None
    group_note: str | None = Field(
        description="Null until written, and for roles that may not read clinical notes"
    )
    group_note_by_id: uuid.UUID | None


class SessionSummary(SessionBase):
    """A session in a list: how its roster stands, without the roster itself."""

    roster_size: int = Field(description="Enrollments on the roster")
    attendance_recorded: int = Field(description="Roster lines with attendance recorded")


class SessionRead(SessionBase):
    roster: list[RosterLine] = Field(description="By family name, then given name")


class AttendanceWrite(InputModel):
    enrollment_id: uuid.UUID
    status: AttendanceStatus
    minutes_attended: Annotated[Integer, Field(ge=0, le=24 * 60)] | None = Field(
        default=None,
        description="Defaults to the full duration when present, 0 when absent; "
        "required when late or left early",
    )
    note: Note | None = None


AttendanceBatch = Annotated[list[AttendanceWrite], Field(min_length=1, max_length=MAX_ROSTER)]


class AttendanceRead(ReadModel):
    enrollment_id: uuid.UUID
    status: AttendanceStatus
    minutes_attended: int
    note: str | None = Field(description="Null for roles that may not read clinical notes")
    recorded_by_id: uuid.UUID | None
    recorded_at: datetime
