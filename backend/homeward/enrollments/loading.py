"""Loading enrollments and the small helpers every enrollment service shares."""

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Subquery, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from homeward import clock
from homeward.audit.service import Actor
from homeward.enrollments.exceptions import EnrollmentNotFound
from homeward.enrollments.models import Enrollment
from homeward.enrollments.schemas import EnrollmentRead
from homeward.errors import PreconditionFailed
from homeward.etag import check_if_match
from homeward.pagination import Columns
from homeward.patients.models import Patient
from homeward.programs.models import Phase, Program


def read_query() -> Select[Enrollment]:
    """Enrollments with the summaries a read shows, in the same statement."""
    return select(Enrollment).options(
        # Only what the summary shows: the medical profile is large and not needed here.
        joinedload(Enrollment.patient, innerjoin=True).load_only(
            Patient.mrn, Patient.given_name, Patient.family_name
        ),
        joinedload(Enrollment.program, innerjoin=True),
        joinedload(Enrollment.current_phase),
    )


# The enrollment's own columns a read shows; `with_summaries` adds the rest.
# The enrollment's own columns of `EnrollmentRead`, in its field order: the rest of
# what it shows (patient, program, phase) the summaries join in.
READ_COLUMNS = [
    getattr(Enrollment, name)
    for name in EnrollmentRead.model_fields
    if name in Enrollment.__table__.columns
]
_OWN = [column.key for column in READ_COLUMNS]


def with_summaries(page: Subquery) -> Columns:
    """A page of `READ_COLUMNS` joined to the patient, program and phase columns a read shows."""
    return (
        select(
            page,
            Patient.mrn,
            Patient.given_name,
            Patient.family_name,
            Program.name.label("program_name"),
            Program.timezone,
            Phase.name.label("phase_name"),
            Phase.order.label("phase_order"),
        )
        .join(Patient, Patient.id == page.c.patient_id)
        .join(Program, Program.id == page.c.program_id)
        .outerjoin(Phase, Phase.id == page.c.current_phase_id)
    )


# What `with_summaries` adds to `READ_COLUMNS`, in its order.
SUMMARY_KEYS = [
    "mrn",
    "given_name",
    "family_name",
    "program_name",
    "timezone",
    "phase_name",
    "phase_order",
]
# The columns of a `with_summaries` row, in order.
SUMMARIZED = [*_OWN, *SUMMARY_KEYS]


def item_from_values(values: Sequence[Any]) -> dict[str, Any]:
    """A `with_summaries` row's values (in `SUMMARIZED` order) in the shape of
    `EnrollmentRead`: a page builds fifty of these, one dict display each."""
    (
        id_,
        patient_id,
        program_id,
        status,
        current_phase_id,
        phase_started_on,
        primary_clinician_id,
        admitted_on,
        expected_end_on,
        completed_on,
        discharged_on,
        discharge_reason,
        version,
        created_at,
        updated_at,
        mrn,
        given_name,
        family_name,
        program_name,
        timezone,
        phase_name,
        phase_order,
    ) = values
    return {
        "id": id_,
        "patient_id": patient_id,
        "program_id": program_id,
        "status": status,
        "current_phase_id": current_phase_id,
        "phase_started_on": phase_started_on,
        "primary_clinician_id": primary_clinician_id,
        "admitted_on": admitted_on,
        "expected_end_on": expected_end_on,
        "completed_on": completed_on,
        "discharged_on": discharged_on,
        "discharge_reason": discharge_reason,
        "version": version,
        "patient": {
            "id": patient_id,
            "mrn": mrn,
            "given_name": given_name,
            "family_name": family_name,
        },
        "program": {"id": program_id, "name": program_name, "timezone": timezone},
        "current_phase": None
        if current_phase_id is None
        else {"id": current_phase_id, "name": phase_name, "order": phase_order},
        "created_at": created_at,
        "updated_at": updated_at,
    }


def load_enrollment(
    db: Session, enrollment_id: uuid.UUID, if_match: str | None = None
) -> Enrollment:
    """The enrollment, or 404; with `if_match`, 412 unless the caller saw this version."""
    enrollment = db.scalar(read_query().where(Enrollment.id == enrollment_id))
    if enrollment is None:
        raise EnrollmentNotFound()
    if if_match is not None:
        check_if_match(if_match, enrollment.version)
    return enrollment


def require_enrollment(db: Session, enrollment_id: uuid.UUID) -> Enrollment:
    """Just the row (no summaries), for routes about what hangs off an enrollment."""
    enrollment = db.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise EnrollmentNotFound()
    return enrollment


def program_today(program: Program) -> date:
    """Today where the program runs: a clinic's day does not end at midnight UTC."""
    return clock.now().astimezone(ZoneInfo(program.timezone)).date()


def staff_id(actor: Actor) -> uuid.UUID | None:
    return actor.id if actor.type == "user" else None


def flush_or_412(db: Session) -> None:
    """Flush; a concurrent change to a versioned row is the caller's stale read."""
    try:
        db.flush()
    except StaleDataError as error:
        raise PreconditionFailed(
            "Someone else changed this enrollment meanwhile; reload and try again"
        ) from error
