"""Enrollments: a patient in a program. Creating, reading, listing and assigning.

The lifecycle actions live in `lifecycle`, and are re-exported here so other
domains (tapering, transfers) call `enrollments.service.change_phase` and friends.
"""

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from homeward.audit.reads import AuditedList, AuditedRead, AuditedReads, audited_page
from homeward.audit.service import Actor, record
from homeward.auth.models import CLINICAL_ROLES, NOT_CLINICAL, User
from homeward.enrollments.exceptions import AlreadyEnrolled, EnrollmentNotFound
from homeward.enrollments.lifecycle import (
    admit,
    change_phase,
    complete,
    discharge,
    extend,
    hold,
    resume,
    status_changed,
)
from homeward.enrollments.loading import (
    READ_COLUMNS,
    flush_or_412,
    item_from_values,
    load_enrollment,
    staff_id,
    with_summaries,
)
from homeward.enrollments.models import OPEN_STATUSES, Enrollment, EnrollmentStatus, StatusChange
from homeward.enrollments.phase_history import phase_history
from homeward.enrollments.schemas import (
    Caseload,
    EnrollmentCreate,
    EnrollmentUpdate,
)
from homeward.errors import InvalidInput
from homeward.etag import check_if_match
from homeward.pagination import Filter, KeysetQuery, PageParams
from homeward.patients.models import Patient
from homeward.programs.models import Program

# Far beyond any IOP stay; keeps later date arithmetic (extensions) in range.
MAX_STAY = timedelta(days=730)

__all__ = [
    "admit",
    "change_phase",
    "complete",
    "create_enrollment",
    "discharge",
    "extend",
    "get_enrollment",
    "hold",
    "list_enrollments",
    "phase_history",
    "resume",
    "status_changed",
    "update_enrollment",
]


# The patient, program and phase are joined to the page's rows only, not to every
# enrollment the filters match.
_LIST = KeysetQuery(
    lambda: select(*READ_COLUMNS),
    [Enrollment.created_at, Enrollment.id],
    [
        Filter.any_of("statuses", Enrollment.status),
        Filter("program_id", Enrollment.program_id.__eq__),
        Filter("patient_id", Enrollment.patient_id.__eq__),
        Filter("clinician_id", Enrollment.primary_clinician_id.__eq__),
    ],
    descending=True,
    around=with_summaries,
)


_LISTED = AuditedList(
    "enrollment.list", "enrollment", item=item_from_values, patient_column="patient_id"
)


async def list_enrollments(
    reads: AuditedReads,
    actor: Actor,
    params: PageParams,
    *,
    statuses: list[EnrollmentStatus] | None = None,
    program_id: uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    caseload: Caseload | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Newest first: a page's rows, as `EnrollmentRead` names their fields, and the next
    page's cursor; with one audit event."""
    return await audited_page(
        _LIST,
        reads,
        _LISTED,
        actor,
        params,
        about_patient=patient_id,
        statuses=statuses,
        program_id=program_id,
        patient_id=patient_id,
        clinician_id=actor.id if caseload == Caseload.mine else None,
    )


# Built once: composing this statement and its cache key cost more than running it.
_READ_ONE = AuditedRead(
    with_summaries(
        select(*READ_COLUMNS).where(Enrollment.id == bindparam("enrollment_id")).subquery()
    ),
    action="enrollment.read",
    resource_type="enrollment",
    resource_column="id",
    patient_column="patient_id",
    item=item_from_values,
)


async def get_enrollment(
    reads: AuditedReads, actor: Actor, enrollment_id: uuid.UUID
) -> dict[str, Any]:
    """The enrollment's row, plain columns as the list reads them, with the read's audit
    event."""
    row = await reads.one(_READ_ONE, actor, {"enrollment_id": enrollment_id})
    if row is None:
        raise EnrollmentNotFound()
    return row


def _check_clinician(db: Session, user_id: uuid.UUID | None) -> None:
    if user_id is None:
        return
    user = db.get(User, user_id)
    if user is None or not user.active:
        raise InvalidInput.at(["body", "primary_clinician_id"], "no active staff user with this id")
    if user.role not in CLINICAL_ROLES:
        raise InvalidInput.at(["body", "primary_clinician_id"], NOT_CLINICAL)


def create_enrollment(db: Session, actor: Actor, data: EnrollmentCreate) -> Enrollment:
    """A pending enrollment; `admit` starts it."""
    if db.get(Patient, data.patient_id) is None:
        raise InvalidInput.at(["body", "patient_id"], "no patient with this id")
    program = db.get(Program, data.program_id)
    if program is None:
        raise InvalidInput.at(["body", "program_id"], "no program with this id")
    if program.archived:
        raise InvalidInput.at(["body", "program_id"], "the program is archived")
    _check_clinician(db, data.primary_clinician_id)
    open_already = select(
        exists().where(
            Enrollment.patient_id == data.patient_id,
            Enrollment.program_id == data.program_id,
            Enrollment.status.in_(OPEN_STATUSES),
        )
    )
    if db.scalar(open_already):
        raise AlreadyEnrolled()
    enrollment = Enrollment(
        patient_id=data.patient_id,
        program_id=data.program_id,
        primary_clinician_id=data.primary_clinician_id,
        status=EnrollmentStatus.pending,
    )
    # The unique index catches a concurrent request that passed the check above.
    try:
        with db.begin_nested():
            db.add(enrollment)
            db.flush()
    except IntegrityError as error:
        raise AlreadyEnrolled() from error
    db.add(
        StatusChange(
            enrollment_id=enrollment.id,
            from_status=None,
            to_status=EnrollmentStatus.pending,
            note=data.note,
            changed_by_id=staff_id(actor),
        )
    )
    db.flush()
    record(
        db,
        actor,
        "enrollment.create",
        "enrollment",
        enrollment.id,
        patient_id=enrollment.patient_id,
        detail={"program_id": str(program.id)},
    )
    return load_enrollment(db, enrollment.id)


def update_enrollment(
    db: Session,
    actor: Actor,
    enrollment_id: uuid.UUID,
    data: EnrollmentUpdate,
    if_match: str | None,
) -> Enrollment:
    enrollment = load_enrollment(db, enrollment_id)
    check_if_match(if_match, enrollment.version)
    changes = data.model_dump(exclude_unset=True)
    if "primary_clinician_id" in changes:
        _check_clinician(db, changes["primary_clinician_id"])
    if "expected_end_on" in changes:
        end = changes["expected_end_on"]
        if end is None:
            raise InvalidInput.at(["body", "expected_end_on"], "expected_end_on cannot be null")
        if enrollment.admitted_on is None:
            raise InvalidInput.at(
                ["body", "expected_end_on"], "set at admission; the enrollment is not admitted"
            )
        if end <= enrollment.admitted_on:
            raise InvalidInput.at(["body", "expected_end_on"], "must be after admitted_on")
        if end > enrollment.admitted_on + MAX_STAY:
            raise InvalidInput.at(
                ["body", "expected_end_on"], "more than two years after admission"
            )
    for field, value in changes.items():
        setattr(enrollment, field, value)
    flush_or_412(db)
    record(
        db,
        actor,
        "enrollment.update",
        "enrollment",
        enrollment.id,
        patient_id=enrollment.patient_id,
        detail={"changed": sorted(changes)},
    )
    return enrollment
