"""Patients: demographics, contacts, the medical profile, and search.

Every read and write here is of patient data, so each leaves an audit event
carrying the patient's id.
"""

import re
import secrets
import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.errors import InvalidInput
from homeward.pagination import Page, PageParams, paginate
from homeward.patients.exceptions import ContactNotFound, MrnUnavailable, PatientNotFound
from homeward.patients.models import Patient, PatientContact
from homeward.patients.schemas import (
    ContactCreate,
    ContactUpdate,
    MedicalProfile,
    PatientCreate,
    PatientRead,
    PatientUpdate,
)

MRN_PREFIX = "HW-"
_MRN_ATTEMPTS = 20
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EARLIEST_BIRTH = date(1900, 1, 1)


def _load(db: Session, patient_id: uuid.UUID) -> Patient:
    patient = db.scalar(
        select(Patient).options(selectinload(Patient.contacts)).where(Patient.id == patient_id)
    )
    if patient is None:
        raise PatientNotFound()
    return patient


def require_patient(db: Session, patient_id: uuid.UUID) -> Patient:
    """The patient, or 404; no audit event (for callers that record their own)."""
    return _load(db, patient_id)


def _check_birth_date(value: date) -> None:
    if value > clock.now().date():
        raise InvalidInput.at(["body", "date_of_birth"], "date_of_birth is in the future")
    if value < _EARLIEST_BIRTH:
        raise InvalidInput.at(["body", "date_of_birth"], "date_of_birth is before 1900")


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search(statement: Select[Patient], q: str) -> Select[Patient]:
    """A date finds by birth date; anything else by exact MRN, or by name terms."""
    q = q.strip()
    if not q:
        return statement
    if _ISO_DATE.match(q):
        try:
            born = date.fromisoformat(q)
        except ValueError as error:
            raise InvalidInput.at(["query", "q"], "not a valid date (YYYY-MM-DD)") from error
        return statement.where(Patient.date_of_birth == born)
    # Every term must match a name, so "ann smi" finds Ann Smith but not Ann Jones.
    name_terms = []
    for term in q.lower().split():
        pattern = f"%{_escape_like(term)}%"
        name_terms.append(
            or_(
                func.lower(Patient.given_name).like(pattern, escape="\\"),
                func.lower(Patient.family_name).like(pattern, escape="\\"),
            )
        )
    return statement.where(or_(Patient.mrn == q, Patient.mrn == q.upper(), and_(*name_terms)))


def list_patients(
    db: Session, actor: Actor, params: PageParams, q: str | None = None
) -> Page[PatientRead]:
    statement = select(Patient).options(selectinload(Patient.contacts))
    if q:
        statement = _search(statement, q)
    page = paginate(
        db,
        statement,
        [Patient.family_name, Patient.given_name, Patient.id],
        params,
        read_as=PatientRead,
    )
    # One event per list: who looked, and whose records they saw (not the search text,
    # which is itself identifying).
    record(
        db,
        actor,
        "patient.list",
        "patient",
        detail={"count": len(page.items), "search": bool(q)},
        patient_ids=[patient.id for patient in page.items],
    )
    return page


def get_patient(db: Session, actor: Actor, patient_id: uuid.UUID) -> Patient:
    patient = _load(db, patient_id)
    record(db, actor, "patient.read", "patient", patient.id, patient_id=patient.id)
    return patient


def _new_mrn(db: Session) -> str:
    for _ in range(_MRN_ATTEMPTS):
        candidate = f"{MRN_PREFIX}{secrets.randbelow(1_000_000):06d}"
        if not db.scalar(select(exists().where(Patient.mrn == candidate))):
            return candidate
    raise MrnUnavailable()


def create_patient(db: Session, actor: Actor, data: PatientCreate) -> Patient:
    _check_birth_date(data.date_of_birth)
    fields = data.model_dump(exclude={"contacts", "medical_profile"})
    for _ in range(_MRN_ATTEMPTS):
        patient = Patient(
            **fields,
            mrn=_new_mrn(db),
            medical_profile=data.medical_profile.model_dump(mode="json"),
            contacts=[PatientContact(**contact.model_dump()) for contact in data.contacts],
        )
        # Another request may take the same MRN between the check and the insert:
        # the savepoint lets us draw again instead of failing the whole request.
        try:
            with db.begin_nested():
                db.add(patient)
                db.flush()
        except IntegrityError:
            continue
        record(
            db,
            actor,
            "patient.create",
            "patient",
            patient.id,
            patient_id=patient.id,
            detail={"contacts": len(data.contacts)},
        )
        return _load(db, patient.id)
    raise MrnUnavailable()


_REQUIRED = ("given_name", "family_name", "date_of_birth", "sex")


def update_patient(
    db: Session, actor: Actor, patient_id: uuid.UUID, data: PatientUpdate
) -> Patient:
    patient = _load(db, patient_id)
    changes = data.model_dump(exclude_unset=True)
    for field in _REQUIRED:
        if field in changes and changes[field] is None:
            raise InvalidInput.at(["body", field], f"{field} cannot be null")
    if changes.get("date_of_birth") is not None:
        _check_birth_date(changes["date_of_birth"])
    for field, value in changes.items():
        setattr(patient, field, value)
    db.flush()
    record(
        db,
        actor,
        "patient.update",
        "patient",
        patient.id,
        patient_id=patient.id,
        detail={"changed": sorted(changes)},
    )
    return patient


def replace_medical_profile(
    db: Session, actor: Actor, patient_id: uuid.UUID, data: MedicalProfile
) -> Patient:
    patient = _load(db, patient_id)
    if data.detox_completed_on is not None and data.detox_completed_on > clock.now().date():
        raise InvalidInput.at(["body", "detox_completed_on"], "detox_completed_on is in the future")
    patient.medical_profile = data.model_dump(mode="json")
    db.flush()
    record(
        db, actor, "patient.medical_profile.update", "patient", patient.id, patient_id=patient.id
    )
    return patient


# Contacts


def list_contacts(db: Session, actor: Actor, patient_id: uuid.UUID) -> list[PatientContact]:
    patient = _load(db, patient_id)
    record(db, actor, "contact.list", "patient", patient.id, patient_id=patient.id)
    return patient.contacts


def _get_contact(db: Session, patient_id: uuid.UUID, contact_id: uuid.UUID) -> PatientContact:
    contact = db.get(PatientContact, contact_id)
    if contact is None or contact.patient_id != patient_id:
        raise ContactNotFound()
    return contact


def add_contact(
    db: Session, actor: Actor, patient_id: uuid.UUID, data: ContactCreate
) -> PatientContact:
    patient = _load(db, patient_id)
    contact = PatientContact(**data.model_dump())
    patient.contacts.append(contact)
    db.flush()
    record(db, actor, "contact.create", "contact", contact.id, patient_id=patient.id)
    return contact


def update_contact(
    db: Session, actor: Actor, patient_id: uuid.UUID, contact_id: uuid.UUID, data: ContactUpdate
) -> PatientContact:
    patient = _load(db, patient_id)
    contact = _get_contact(db, patient.id, contact_id)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    for field in ("name", "relationship_to_patient", "joins_family_program"):
        if field in changes and changes[field] is None:
            raise InvalidInput.at(["body", field], f"{field} cannot be null")
    for field, value in changes.items():
        setattr(contact, field, value)
    db.flush()
    record(
        db,
        actor,
        "contact.update",
        "contact",
        contact.id,
        patient_id=patient_id,
        detail={"changed": sorted(changes)},
    )
    return contact


def delete_contact(db: Session, actor: Actor, patient_id: uuid.UUID, contact_id: uuid.UUID) -> None:
    patient = _load(db, patient_id)
    contact = _get_contact(db, patient.id, contact_id)
    db.delete(contact)
    db.flush()
    db.expire(patient, ["contacts"])
    record(db, actor, "contact.delete", "contact", contact_id, patient_id=patient.id)
