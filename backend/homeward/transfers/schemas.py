import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, EmailStr, Field, field_validator

from homeward.fields import Day, Text, UTCInstant
from homeward.patients.models import Sex
from homeward.patients.schemas import Phone
from homeward.schemas import InputModel, ReadModel
from homeward.screening.schemas import ScreeningAnswers
from homeward.transfers.models import DeclineReason, DocumentKind, MessageAuthor, TransferStatus

# ICD-10-CM: a letter, a digit, a digit or letter; then optionally a dot and 1-4 more.


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


ICD10_CM = r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$"
Icd10Code = Annotated[str, Text(max_length=16, pattern=ICD10_CM), BeforeValidator(_upper)]
Name = Annotated[str, Text(min_length=1, max_length=100)]
ShortText = Annotated[str, Text(max_length=200)]
LongText = Annotated[str, Text(max_length=10_000, multiline=True)]
WithdrawalRisk = Literal["low", "moderate", "high"]
SharedScope = Literal["status_updates", "attendance"]


class Resident(InputModel):
    given_name: Name
    family_name: Name
    date_of_birth: Day
    sex: Sex = Sex.unknown
    phone: Phone | None = None
    email: EmailStr | None = None
    partner_resident_id: Annotated[str, Text(min_length=1, max_length=100)]


class Medication(InputModel):
    name: Annotated[str, Text(min_length=1, max_length=200)]
    dose: ShortText | None = None
    frequency: ShortText | None = None


class Discharge(InputModel):
    discharged_on: Day
    detox_completed: bool
    detox_completed_on: Day | None = None
    withdrawal_risk: WithdrawalRisk
    diagnoses: Annotated[list[Icd10Code], Field(max_length=50)] = []
    medications: Annotated[list[Medication], Field(max_length=100)] = []
    summary: LongText = ""


class TransferConsent(InputModel):
    """The patient's 42 CFR Part 2 consent to share back with this partner."""

    signed_on: Day
    # Part 2 consents must say when they end.
    expires_on: Day
    scopes: Annotated[list[SharedScope], Field(max_length=2)]
    purpose: Annotated[str, Text(min_length=1, max_length=1000, multiline=True)]
    document_reference: Annotated[str, Text(min_length=1, max_length=200)]

    @field_validator("scopes")
    @classmethod
    def _distinct(cls, scopes: list[str]) -> list[str]:
        if len(set(scopes)) != len(scopes):
            raise ValueError("each scope once")
        return scopes


class PartnerContact(InputModel):
    name: Annotated[str, Text(min_length=1, max_length=200)]
    phone: Annotated[str, Text(max_length=40)] | None = None
    email: EmailStr | None = None


class TransferCreate(InputModel):
    resident: Resident
    discharge: Discharge
    requested_program_id: uuid.UUID | None = None
    preferred_start_date: Day | None = None
    screening: ScreeningAnswers | None = None
    consent: TransferConsent
    partner_contact: PartnerContact


class Decision(ReadModel):
    """Intake's answer: what it depends on depends on the status."""

    program_id: uuid.UUID | None = None
    start_date: date | None = None
    intake_at: datetime | None = None
    expected_start: date | None = None
    reason_code: DeclineReason | None = None
    reason: str | None = None
    decided_at: datetime


class Outcome(ReadModel):
    """How the stay ended, for a completed or discharged transfer."""

    status: Literal["completed", "discharged"]
    admitted_on: date | None
    ended_on: date | None
    length_of_stay_days: int | None


class AttendanceWeek(ReadModel):
    week_starting: date
    sessions_attended: int
    sessions_rostered: int


class TransferRead(ReadModel):
    id: uuid.UUID
    status: TransferStatus
    resident: dict[str, Any]
    discharge: dict[str, Any]
    requested_program_id: uuid.UUID | None
    preferred_start_date: date | None
    screening: dict[str, Any] | None
    consent: dict[str, Any]
    partner_contact: dict[str, Any]
    decision: Decision | None
    first_response_at: datetime | None
    created_at: datetime
    updated_at: datetime


class PartnerTransferRead(ReadModel):
    """A transfer as its partner sees it. After acceptance, `status` and what follows it
    are shown only under the patient's consent; otherwise `status` is `consent_required`."""

    id: uuid.UUID
    status: TransferStatus | Literal["consent_required"]
    resident: dict[str, Any]
    discharge: dict[str, Any]
    requested_program_id: uuid.UUID | None
    preferred_start_date: date | None
    screening: dict[str, Any] | None
    consent: dict[str, Any]
    partner_contact: dict[str, Any]
    decision: Decision | None
    outcome: Outcome | None = None
    attendance: list[AttendanceWeek] | None = None
    first_response_at: datetime | None
    created_at: datetime
    updated_at: datetime
    notice: str | None = Field(
        None, description="The 42 CFR Part 2 notice, on every response that discloses records"
    )


class StaffTransferRead(TransferRead):
    partner_id: uuid.UUID
    partner_name: str
    screening_outcome: str | None
    patient_id: uuid.UUID | None
    enrollment_id: uuid.UUID | None


class DuplicateCandidate(ReadModel):
    patient_id: uuid.UUID
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    matched_on: Literal["partner_resident_id", "name_and_date_of_birth"]


class ProgramOpenings(ReadModel):
    program_id: uuid.UUID
    name: str
    capacity: int
    openings: int


class DocumentRead(ReadModel):
    id: uuid.UUID
    transfer_id: uuid.UUID
    kind: DocumentKind
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    created_at: datetime


class MessageRead(ReadModel):
    id: uuid.UUID
    transfer_id: uuid.UUID
    author: MessageAuthor
    body: str
    created_at: datetime


class StaffTransferDetail(StaffTransferRead):
    possible_duplicates: list[DuplicateCandidate]
    requested_program: ProgramOpenings | None
    documents: list[DocumentRead]
    messages: list[MessageRead]


class MessageCreate(InputModel):
    body: Annotated[str, Text(min_length=1, max_length=10_000, multiline=True)]


class AcceptRequest(InputModel):
    program_id: uuid.UUID
    start_date: Day
    intake_at: UTCInstant | None = None
    patient_id: uuid.UUID | None = Field(
        None, description="Link this existing patient (one of the possible duplicates)"
    )


class WaitlistRequest(InputModel):
    expected_start: Day | None = None


class DeclineRequest(InputModel):
    reason_code: DeclineReason
    reason: Annotated[str, Text(min_length=1, max_length=2000, multiline=True)]


class RequestInfo(InputModel):
    message: Annotated[str, Text(min_length=1, max_length=10_000, multiline=True)]


class IntakeReport(ReadModel):
    transfers: int
    answered: int
    median_hours_to_first_response: float | None
    p90_hours_to_first_response: float | None
    answered_within_24h_share: float | None
