import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    ConfigDict,
    EmailStr,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from homeward.fields import Clearable, Day, Text
from homeward.patients.models import ConsentScope, Sex
from homeward.schemas import InputModel, ReadModel, UpdateModel

Name = Annotated[str, Text(min_length=1, max_length=100)]
ShortText = Annotated[str, Text(min_length=1, max_length=200)]
Relationship = Annotated[str, Text(min_length=1, max_length=60)]
Phone = Annotated[str, Text(min_length=3, max_length=40, pattern=r"^[0-9+()\-. x]+$")]


class DetoxStatus(StrEnum):
    not_needed = "not_needed"
    in_progress = "in_progress"
    completed = "completed"


class ConditionKind(StrEnum):
    mental = "mental"
    physical = "physical"


class Condition(InputModel):
    name: ShortText
    kind: ConditionKind
    treated: bool
    serious: bool


class Medication(InputModel):
    name: ShortText
    dose: Annotated[str, Text(max_length=100)] = ""
    schedule: Annotated[str, Text(max_length=200)] = ""


class MedicalProfile(InputModel):
    """What screening and the medical team need: detox, conditions, medications."""

    detox_status: DetoxStatus | None = None
    detox_completed_on: Day | None = Field(default=None, validate_default=True)
    conditions: Annotated[list[Condition], Field(max_length=50)] = []
    medications: Annotated[list[Medication], Field(max_length=50)] = []

    @field_validator("detox_completed_on")
    @classmethod
    def _date_matches_status(cls, value: date | None, info: ValidationInfo) -> date | None:
        completed = info.data.get("detox_status") == DetoxStatus.completed
        if completed and value is None:
            raise ValueError("required when detox_status is completed")
        if not completed and value is not None:
            raise ValueError("only set when detox_status is completed")
        return value


# Read models ignore unknown keys: rows inserted directly (demo data, imports) must still read.
class ConditionRead(ReadModel):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    name: str
    kind: ConditionKind
    treated: bool
    serious: bool


class MedicationRead(ReadModel):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    name: str
    dose: str = ""
    schedule: str = ""


class MedicalProfileRead(ReadModel):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    detox_status: DetoxStatus | None = None
    detox_completed_on: date | None = None
    conditions: list[ConditionRead] = []
    medications: list[MedicationRead] = []


class ContactCreate(InputModel):
    name: ShortText
    relationship_to_patient: Relationship
    phone: Phone | None = None
    email: EmailStr | None = None
    joins_family_program: bool = False


class ContactUpdate(UpdateModel):
    name: ShortText | None = None
    relationship_to_patient: Relationship | None = None
    phone: Annotated[Phone | None, Clearable()] = None
    email: Annotated[EmailStr | None, Clearable()] = None
    joins_family_program: bool | None = None


class ContactRead(ReadModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    name: str
    relationship_to_patient: str
    phone: str | None
    email: str | None
    joins_family_program: bool


class PatientCreate(InputModel):
    given_name: Name
    family_name: Name
    date_of_birth: Day
    sex: Sex = Sex.unknown
    phone: Phone | None = None
    email: EmailStr | None = None
    contacts: Annotated[list[ContactCreate], Field(max_length=20)] = []
    medical_profile: MedicalProfile = Field(default_factory=MedicalProfile)


class PatientUpdate(UpdateModel):
    """Demographics only: the medical profile has its own route and roles."""

    given_name: Name | None = None
    family_name: Name | None = None
    date_of_birth: Day | None = None
    sex: Sex | None = None
    phone: Annotated[Phone | None, Clearable()] = None
    email: Annotated[EmailStr | None, Clearable()] = None


class PatientRead(ReadModel):
    id: uuid.UUID
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: Sex
    phone: str | None
    email: str | None
    contacts: list[ContactRead]
    medical_profile: MedicalProfileRead
    created_at: datetime
    updated_at: datetime


class PatientSummary(ReadModel):
    """Enough to recognise a patient in a list of enrollments."""

    id: uuid.UUID
    mrn: str
    given_name: str
    family_name: str


class ConsentCreate(InputModel):
    recipient_partner_id: uuid.UUID | None = Field(
        default=None, description="A partner organization; or give recipient_name"
    )
    recipient_name: ShortText | None = Field(
        default=None, description="A named person; or give recipient_partner_id"
    )
    purpose: Annotated[str, Text(min_length=1, max_length=2000, multiline=True)]
    scopes: Annotated[list[ConsentScope], Field(min_length=1, max_length=3)]
    signed_on: Day
    # Part 2 consents must say when they end; an open-ended consent is not valid.
    expires_on: Day

    @field_validator("scopes")
    @classmethod
    def _scopes_unique(cls, value: list[ConsentScope]) -> list[ConsentScope]:
        if len(set(value)) != len(value):
            raise ValueError("scopes must not repeat")
        return value

    @field_validator("expires_on")
    @classmethod
    def _expires_after_signing(cls, value: date, info: ValidationInfo) -> date:
        signed_on = info.data.get("signed_on")
        if signed_on is not None and value <= signed_on:
            raise ValueError("expires_on must be after signed_on")
        return value

    @model_validator(mode="after")
    def _one_recipient(self) -> Self:
        if (self.recipient_partner_id is None) == (self.recipient_name is None):
            raise ValueError("give exactly one of recipient_partner_id and recipient_name")
        return self


class ConsentRevoke(InputModel):
    revoked_on: Day | None = Field(default=None, description="Defaults to today")


class ConsentRead(ReadModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    recipient_partner_id: uuid.UUID | None
    recipient_name: str
    purpose: str
    scopes: list[ConsentScope]
    signed_on: date
    expires_on: date | None
    revoked_on: date | None
    active: bool = Field(description="Signed, not revoked and not expired as of today")
    created_at: datetime
    created_by_id: uuid.UUID | None
