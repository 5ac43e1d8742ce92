"""Clinical events on an enrollment: relapses, drug screens, crises, medical events."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward.audit.service import Actor, record
from homeward.enrollments.loading import program_today, require_enrollment, staff_id
from homeward.enrollments.models import ClinicalEvent, Enrollment, EventKind
from homeward.enrollments.schemas import EventCreate, EventRead
from homeward.errors import InvalidInput
from homeward.pagination import Page, PageParams, paginate


def _validate(data: EventCreate, enrollment: Enrollment) -> None:
    """An event falls inside the enrollment's span: from admission to today or its end."""
    program, admitted_on = enrollment.program, enrollment.admitted_on
    if data.kind == EventKind.drug_screen and data.result is None:
        raise InvalidInput.at(["body", "result"], "a drug screen needs a result")
    if data.kind != EventKind.drug_screen and data.result is not None:
        raise InvalidInput.at(["body", "result"], "only a drug screen has a result")
    if data.occurred_on > program_today(program):
        raise InvalidInput.at(["body", "occurred_on"], "occurred_on is in the future")
    if admitted_on is None:
        raise InvalidInput.at(["body", "occurred_on"], "the enrollment is not admitted yet")
    if data.occurred_on < admitted_on:
        raise InvalidInput.at(["body", "occurred_on"], "occurred_on is before admission")
    ended_on = enrollment.discharged_on or enrollment.completed_on
    if ended_on is not None and data.occurred_on > ended_on:
        raise InvalidInput.at(
            ["body", "occurred_on"],
            f"occurred_on is after the enrollment ended ({ended_on.isoformat()})",
        )


def record_event(
    db: Session, actor: Actor, enrollment_id: uuid.UUID, data: EventCreate
) -> ClinicalEvent:
    enrollment = require_enrollment(db, enrollment_id)
    _validate(data, enrollment)
    event = ClinicalEvent(
        enrollment_id=enrollment.id,
        kind=data.kind,
        occurred_on=data.occurred_on,
        result=data.result,
        substances=list(dict.fromkeys(data.substances)),
        note=data.note,
        recorded_by_id=staff_id(actor),
    )
    db.add(event)
    db.flush()
    record(
        db,
        actor,
        "event.create",
        "clinical_event",
        event.id,
        patient_id=enrollment.patient_id,
        detail={"enrollment_id": str(enrollment.id), "kind": data.kind.value},
    )
    return event


def list_events(
    db: Session, actor: Actor, enrollment_id: uuid.UUID, params: PageParams
) -> Page[EventRead]:
    """Newest first."""
    enrollment = require_enrollment(db, enrollment_id)
    page = paginate(
        db,
        select(ClinicalEvent).where(ClinicalEvent.enrollment_id == enrollment.id),
        [ClinicalEvent.occurred_on, ClinicalEvent.created_at, ClinicalEvent.id],
        params,
        read_as=EventRead,
        descending=True,
    )
    record(
        db,
        actor,
        "event.list",
        "enrollment",
        enrollment.id,
        patient_id=enrollment.patient_id,
        detail={"count": len(page.items)},
    )
    return page
