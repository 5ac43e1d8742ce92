"""Loading enrollments and the small helpers every enrollment service shares."""

import uuid
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from homeward import clock
from homeward.audit.service import Actor
from homeward.enrollments.exceptions import EnrollmentNotFound
from homeward.enrollments.models import Enrollment
from homeward.errors import PreconditionFailed
from homeward.etag import check_if_match
from homeward.patients.models import Patient
from homeward.programs.models import Program


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
