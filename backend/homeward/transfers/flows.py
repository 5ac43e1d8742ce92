"""Steps that cross domains: accepting a transfer, and an enrollment that came from one.

Accepting creates (or links) the patient, records the consent the partner sent, and
creates a pending enrollment that admission activates later. When that enrollment is
admitted, completed or discharged, its transfer follows.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.enrollments import service as enrollments
from homeward.enrollments.models import Enrollment
from homeward.enrollments.schemas import (
    AdmitRequest,
    CompleteRequest,
    DischargeRequest,
    EnrollmentCreate,
)
from homeward.errors import InvalidInput
from homeward.patients import consents
from homeward.patients import service as patients
from homeward.patients.exceptions import PatientNotFound
from homeward.patients.models import ConsentScope, Patient
from homeward.patients.schemas import ConsentCreate, PatientCreate
from homeward.programs.models import Program
from homeward.transfers import review
from homeward.transfers.events import announce
from homeward.transfers.models import Transfer, TransferStatus
from homeward.transfers.schemas import AcceptRequest


def _patient(
    db: Session, actor: Actor, transfer: Transfer, patient_id: uuid.UUID | None
) -> Patient:
    if patient_id is not None:
        try:
            return patients.require_patient(db, patient_id)
        except PatientNotFound as error:
            raise InvalidInput.at(["body", "patient_id"], "no patient with this id") from error
    resident = transfer.resident
    return patients.create_patient(
        db,
        actor,
        PatientCreate(
            given_name=resident["given_name"],
            family_name=resident["family_name"],
            date_of_birth=transfer.date_of_birth,
            sex=resident.get("sex", "unknown"),
            phone=resident.get("phone"),
            email=resident.get("email"),
        ),
    )


def accept(db: Session, actor: Actor, transfer_id: uuid.UUID, data: AcceptRequest) -> Transfer:
    transfer = review.require_transfer(db, transfer_id)
    review.check_open(transfer, "accept")
    program = db.get(Program, data.program_id)
    if program is None or program.archived:
        raise InvalidInput.at(["body", "program_id"], "no open program with this id")
    review.check_start(data.start_date)
    patient = _patient(db, actor, transfer, data.patient_id)
    consent = transfer.consent
    if consent.get("scopes"):
        created = consents.create_consent(
            db,
            actor,
            patient.id,
            ConsentCreate(
                recipient_partner_id=transfer.partner_id,
                purpose=consent["purpose"],
                scopes=[ConsentScope(scope) for scope in consent["scopes"]],
                signed_on=consent["signed_on"],
                expires_on=consent["expires_on"],
            ),
        )
        transfer.consent_id = created.id
    enrollment = enrollments.create_enrollment(
        db,
        actor,
        EnrollmentCreate(
            patient_id=patient.id, program_id=program.id, note=f"Transfer {transfer.id}"
        ),
    )
    transfer.patient_id = patient.id
    transfer.enrollment_id = enrollment.id
    decision = {
        "program_id": str(program.id),
        "start_date": data.start_date.isoformat(),
        "intake_at": data.intake_at.isoformat() if data.intake_at else None,
    }
    review.answer(db, actor, transfer, "accept", TransferStatus.accepted, decision)
    announce(db, transfer, "transfer.accepted", {"decision": transfer.decision})
    return transfer


def _follow(db: Session, enrollment: Enrollment, status: TransferStatus) -> Transfer | None:
    """The transfer this enrollment came from, moved to `status` and announced."""
    transfer = db.scalar(select(Transfer).where(Transfer.enrollment_id == enrollment.id))
    if transfer is None:
        return None
    transfer.status = status
    db.flush()
    ended_on = enrollment.completed_on or enrollment.discharged_on
    stay = (ended_on - enrollment.admitted_on).days if ended_on and enrollment.admitted_on else None
    data = {
        "admitted_on": enrollment.admitted_on.isoformat() if enrollment.admitted_on else None,
        "ended_on": ended_on.isoformat() if ended_on else None,
        "length_of_stay_days": stay,
    }
    announce(db, transfer, f"enrollment.{status.value}", data)
    return transfer


def admit_enrollment(
    db: Session,
    actor: Actor,
    enrollment_id: uuid.UUID,
    data: AdmitRequest | None,
    *,
    if_match: str | None = None,
) -> Enrollment:
    enrollment = enrollments.admit(db, actor, enrollment_id, data, if_match=if_match)
    _follow(db, enrollment, TransferStatus.admitted)
    return enrollment


def complete_enrollment(
    db: Session,
    actor: Actor,
    enrollment_id: uuid.UUID,
    data: CompleteRequest | None,
    *,
    if_match: str | None = None,
) -> Enrollment:
    enrollment = enrollments.complete(db, actor, enrollment_id, data, if_match=if_match)
    _follow(db, enrollment, TransferStatus.completed)
    return enrollment


def discharge_enrollment(
    db: Session,
    actor: Actor,
    enrollment_id: uuid.UUID,
    data: DischargeRequest,
    *,
    if_match: str | None = None,
) -> Enrollment:
    enrollment = enrollments.discharge(db, actor, enrollment_id, data, if_match=if_match)
    _follow(db, enrollment, TransferStatus.discharged)
    return enrollment
