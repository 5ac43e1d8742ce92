import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import EmailStr, Field, model_validator

from homeward.fields import Day, Text
from homeward.inquiries.models import InquiryStatus, PreferredContact
from homeward.patients.models import Sex
from homeward.patients.schemas import Name, Phone
from homeward.schemas import InputModel, ReadModel
from homeward.screening.schemas import ScreeningAnswers, ScreeningOutcome

Text2000 = Annotated[str, Text(max_length=2000, multiline=True)]


class InquiryCreate(InputModel):
    name: Annotated[str, Text(min_length=1, max_length=200)]
    phone: Phone | None = None
    email: EmailStr | None = None
    preferred_contact: PreferredContact
    answers: ScreeningAnswers
    message: Text2000 = ""
    # Hidden in the form: people leave it empty, form-filling robots do not.
    website: Annotated[str, Text(max_length=500)] = Field(
        default="", description="Leave empty (a field people do not see)."
    )

    @model_validator(mode="after")
    def _reachable(self) -> "InquiryCreate":
        if getattr(self, self.preferred_contact.value) is None:
            raise ValueError(
                f"preferred_contact is {self.preferred_contact.value}: give a "
                f"{self.preferred_contact.value} we can reach you at"
            )
        return self


class InquiryReceived(ReadModel):
    """What the person who asked sees: the self-check's outcome, never what was stored."""

    outcome: ScreeningOutcome
    guidance: str
    next_steps: str


class InquiryRead(ReadModel):
    id: uuid.UUID
    name: str
    phone: str | None
    email: str | None
    preferred_contact: PreferredContact
    answers: dict[str, Any]
    outcome: ScreeningOutcome
    message: str
    status: InquiryStatus
    notes: str
    patient_id: uuid.UUID | None
    enrollment_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class InquiryUpdate(InputModel):
    status: InquiryStatus | None = None
    notes: Annotated[str, Text(max_length=10000, multiline=True)] | None = None


class InquiryConvert(InputModel):
    """The patient to create from the inquiry (its contacts are used where not given)."""

    given_name: Name
    family_name: Name
    date_of_birth: Day
    sex: Sex = Sex.unknown
    phone: Phone | None = None
    email: EmailStr | None = None
    program_id: uuid.UUID | None = Field(
        default=None, description="Also create a pending enrollment in this program."
    )


class InquiryConverted(ReadModel):
    inquiry: InquiryRead
    patient_id: uuid.UUID
    enrollment_id: uuid.UUID | None
