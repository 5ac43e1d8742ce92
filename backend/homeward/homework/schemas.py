import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from homeward.fields import AwareUTCInstant, Text
from homeward.homework.models import HomeworkCategory, HomeworkReadStatus, ReviewOutcome
from homeward.schemas import InputModel, ReadModel, UpdateModel

Title = Annotated[str, Text(min_length=1, max_length=200)]
Instructions = Annotated[str, Text(max_length=10_000, multiline=True)]
Answer = Annotated[str, Text(min_length=1, max_length=50_000, multiline=True)]
Feedback = Annotated[str, Text(min_length=1, max_length=10_000, multiline=True)]


class HomeworkTemplateCreate(InputModel):
    title: Title
    instructions: Instructions = ""
    category: HomeworkCategory


class HomeworkTemplateRead(ReadModel):
    id: uuid.UUID
    title: str
    instructions: str
    category: HomeworkCategory
    archived: bool
    created_at: datetime


class HomeworkCreate(InputModel):
    """From a template (whose fields the others override), or spelled out."""

    template_id: uuid.UUID | None = None
    title: Title | None = None
    instructions: Instructions | None = None
    category: HomeworkCategory | None = None
    due_at: AwareUTCInstant | None = Field(
        default=None,
        description="Defaults to the start of the enrollment's next session, "
        "or else the next day at 09:00 program time",
    )


class HomeworkUpdate(UpdateModel):
    title: Title | None = None
    instructions: Instructions | None = None
    due_at: AwareUTCInstant | None = None


class HomeworkSubmit(InputModel):
    response: Answer


class HomeworkReview(InputModel):
    feedback: Feedback
    outcome: ReviewOutcome


class HomeworkRead(ReadModel):
    id: uuid.UUID
    enrollment_id: uuid.UUID
    template_id: uuid.UUID | None
    session_id: uuid.UUID | None
    title: str
    instructions: str
    category: HomeworkCategory
    assigned_at: datetime
    due_at: datetime
    status: HomeworkReadStatus = Field(
        validation_alias="read_status", description="`missed`: assigned, past due, not handed in"
    )
    response: str | None
    submitted_at: datetime | None
    submitted_late: bool
    feedback: str | None
    review_outcome: ReviewOutcome | None
    reviewed_at: datetime | None
