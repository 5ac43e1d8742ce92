"""Steps that cross domains: accepting a transfer.

Accepting creates (or links) the patient, records the consent the partner sent, and
creates a pending enrollment that admission activates later. When that enrollment is
admitted, completed or discharged, by any path, its transfer follows: the enrollment
lifecycle calls `follow.follow_enrollments`.
"""

import uuid

from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.enrollments import service as enrollments
from homeward.enrollments.schemas import EnrollmentCreate
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
