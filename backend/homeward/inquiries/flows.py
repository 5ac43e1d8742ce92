"""Turning an inquiry into a patient and, optionally, a pending enrollment."""

import uuid

from sqlalchemy.orm import Session

from homeward.audit.service import Actor, record
from homeward.enrollments import service as enrollments_service
from homeward.enrollments.schemas import EnrollmentCreate
from homeward.inquiries.exceptions import AlreadyConverted
from homeward.inquiries.models import InquiryStatus
from homeward.inquiries.schemas import InquiryConvert, InquiryConverted, InquiryRead
from homeward.inquiries.service import require_inquiry
from homeward.patients import service as patients_service
from homeward.patients.schemas import PatientCreate


def convert_inquiry(
    db: Session, actor: Actor, inquiry_id: uuid.UUID, data: InquiryConvert
) -> InquiryConverted:
    inquiry = require_inquiry(db, inquiry_id)
    if inquiry.patient_id is not None:
        raise AlreadyConverted(f"The inquiry became patient {inquiry.patient_id} already")
    patient = patients_service.create_patient(
        db,
        actor,
        PatientCreate(
            given_name=data.given_name,
            family_name=data.family_name,
            date_of_birth=data.date_of_birth,
            sex=data.sex,
            phone=data.phone or inquiry.phone,
            email=data.email or inquiry.email,
        ),
    )
    enrollment_id = None
    if data.program_id is not None:
        enrollment = enrollments_service.create_enrollment(
            db,
            actor,
            EnrollmentCreate(
                patient_id=patient.id, program_id=data.program_id, note="From a public inquiry"
            ),
        )
        enrollment_id = enrollment.id
    inquiry.patient_id = patient.id
    inquiry.enrollment_id = enrollment_id
    inquiry.status = InquiryStatus.converted
    db.flush()
    record(db, actor, "inquiry.convert", "inquiry", inquiry.id, patient_id=patient.id)
    return InquiryConverted(
        inquiry=InquiryRead.model_validate(inquiry),
        patient_id=patient.id,
        enrollment_id=enrollment_id,
    )
