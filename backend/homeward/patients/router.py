import uuid
from typing import Annotated

from fastapi import Body, Query, Request, Response, status
from pydantic import TypeAdapter

from homeward.auth.models import Role
from homeward.db import DbSession
from homeward.deps import StaffPrincipal, require_roles
from homeward.errors import InvalidInput, responses
from homeward.fields import Text
from homeward.http.pagination import Pagination
from homeward.http.routing import api_router
from homeward.idempotency.http import ERRORS as IDEMPOTENCY_ERRORS
from homeward.idempotency.http import IdempotencyKey, idempotent_model
from homeward.pagination import Page
from homeward.patients import consents, service
from homeward.patients.exceptions import (
    ConsentAlreadyRevoked,
    ConsentNotFound,
    ContactNotFound,
    MrnUnavailable,
    PatientNotFound,
)
from homeward.patients.models import Consent, Patient, PatientContact
from homeward.patients.schemas import (
    ConsentCreate,
    ConsentRead,
    ConsentRevoke,
    ContactCreate,
    ContactRead,
    ContactUpdate,
    MedicalProfile,
    PatientCreate,
    PatientRead,
    PatientUpdate,
)

router = api_router(prefix="/patients", tags=["patients"])
_PATIENT = TypeAdapter(PatientRead)

PatientReader = Annotated[
    StaffPrincipal, require_roles(Role.admin, Role.clinician, Role.medical, Role.intake)
]
PatientWriter = Annotated[StaffPrincipal, require_roles(Role.admin, Role.clinician, Role.intake)]
MedicalProfileWriter = Annotated[
    StaffPrincipal, require_roles(Role.admin, Role.clinician, Role.medical, Role.intake)
]
ConsentReader = Annotated[StaffPrincipal, require_roles(Role.admin, Role.clinician, Role.intake)]
ConsentWriter = Annotated[StaffPrincipal, require_roles(Role.admin, Role.intake)]


@router.get("", response_model=Page[PatientRead], responses=responses(InvalidInput))
def list_patients(
    staff: PatientReader,
    db: DbSession,
    page: Pagination,
    q: Annotated[
        Annotated[str, Text(max_length=100)] | None,
        Query(
            description="Name (any part), exact MRN, or date of birth as YYYY-MM-DD",
        ),
    ] = None,
) -> Page[PatientRead]:
    """Patients ordered by family name, then given name."""
    return service.list_patients(db, staff.actor, page, q)


@router.post(
    "",
    response_model=PatientRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(InvalidInput, MrnUnavailable, *IDEMPOTENCY_ERRORS),
)
def create_patient(
    body: PatientCreate,
    staff: PatientWriter,
    db: DbSession,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Patient | Response:
    """Registers a patient; the server assigns the medical record number (MRN)."""
    return idempotent_model(
        db,
        request,
        actor=staff.actor,
        key=idempotency_key,
        body=body,
        run=lambda: service.create_patient(db, staff.actor, body),
        read_as=_PATIENT,
        status_code=201,
    )


@router.get("/{patient_id}", response_model=PatientRead, responses=responses(PatientNotFound))
def get_patient(patient_id: uuid.UUID, staff: PatientReader, db: DbSession) -> Patient:
    return service.get_patient(db, staff.actor, patient_id)


@router.patch(
    "/{patient_id}", response_model=PatientRead, responses=responses(PatientNotFound, InvalidInput)
)
def update_patient(
    patient_id: uuid.UUID, body: PatientUpdate, staff: PatientWriter, db: DbSession
) -> Patient:
    """Demographics. The medical profile is replaced through its own route."""
    return service.update_patient(db, staff.actor, patient_id, body)


@router.put(
    "/{patient_id}/medical-profile",
    response_model=PatientRead,
    responses=responses(PatientNotFound, InvalidInput),
)
def replace_medical_profile(
    patient_id: uuid.UUID, body: MedicalProfile, staff: MedicalProfileWriter, db: DbSession
) -> Patient:
    return service.replace_medical_profile(db, staff.actor, patient_id, body)


@router.get(
    "/{patient_id}/contacts",
    response_model=list[ContactRead],
    responses=responses(PatientNotFound),
)
def list_contacts(
    patient_id: uuid.UUID, staff: PatientReader, db: DbSession
) -> list[PatientContact]:
    return service.list_contacts(db, staff.actor, patient_id)


@router.post(
    "/{patient_id}/contacts",
    response_model=ContactRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PatientNotFound),
)
def add_contact(
    patient_id: uuid.UUID, body: ContactCreate, staff: PatientWriter, db: DbSession
) -> PatientContact:
    return service.add_contact(db, staff.actor, patient_id, body)


@router.patch(
    "/{patient_id}/contacts/{contact_id}",
    response_model=ContactRead,
    responses=responses(PatientNotFound, ContactNotFound),
)
def update_contact(
    patient_id: uuid.UUID,
    contact_id: uuid.UUID,
    body: ContactUpdate,
    staff: PatientWriter,
    db: DbSession,
) -> PatientContact:
    return service.update_contact(db, staff.actor, patient_id, contact_id, body)


@router.delete(
    "/{patient_id}/contacts/{contact_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PatientNotFound, ContactNotFound),
)
def delete_contact(
    patient_id: uuid.UUID, contact_id: uuid.UUID, staff: PatientWriter, db: DbSession
) -> None:
    service.delete_contact(db, staff.actor, patient_id, contact_id)


@router.get(
    "/{patient_id}/consents",
    response_model=list[ConsentRead],
    responses=responses(PatientNotFound),
)
def list_consents(patient_id: uuid.UUID, staff: ConsentReader, db: DbSession) -> list[Consent]:
    """The patient's 42 CFR Part 2 consents, newest first; `active` is as of today."""
    return consents.list_consents(db, staff.actor, patient_id)


@router.post(
    "/{patient_id}/consents",
    response_model=ConsentRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PatientNotFound, InvalidInput),
)
def create_consent(
    patient_id: uuid.UUID, body: ConsentCreate, staff: ConsentWriter, db: DbSession
) -> Consent:
    return consents.create_consent(db, staff.actor, patient_id, body)


@router.post(
    "/{patient_id}/consents/{consent_id}/revoke",
    response_model=ConsentRead,
    responses=responses(ConsentNotFound, ConsentAlreadyRevoked, InvalidInput),
)
def revoke_consent(
    patient_id: uuid.UUID,
    consent_id: uuid.UUID,
    staff: ConsentWriter,
    db: DbSession,
    body: Annotated[ConsentRevoke | None, Body()] = None,
) -> Consent:
    return consents.revoke_consent(db, staff.actor, patient_id, consent_id, body)
