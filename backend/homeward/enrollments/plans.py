"""Treatment plans: one per enrollment, replaced whole by PUT, guarded by its ETag."""

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from homeward.audit.service import Actor, record
from homeward.enrollments.exceptions import TreatmentPlanNotFound
from homeward.enrollments.loading import flush_or_412, require_enrollment, staff_id
from homeward.enrollments.models import TreatmentPlan
from homeward.enrollments.schemas import TreatmentPlanWrite
from homeward.errors import PreconditionFailed
from homeward.etag import check_if_match


def get_treatment_plan(db: Session, actor: Actor, enrollment_id: uuid.UUID) -> TreatmentPlan:
    enrollment = require_enrollment(db, enrollment_id)
    plan = db.get(TreatmentPlan, enrollment.id)
    if plan is None:
        raise TreatmentPlanNotFound()
    record(
        db,
        actor,
        "treatment_plan.read",
        "treatment_plan",
        enrollment.id,
        patient_id=enrollment.patient_id,
    )
    return plan


def put_treatment_plan(
    db: Session,
    actor: Actor,
    enrollment_id: uuid.UUID,
    data: TreatmentPlanWrite,
    if_match: str | None,
) -> TreatmentPlan:
    """Replace the plan. The first one needs no `If-Match`; later ones need the ETag."""
    enrollment = require_enrollment(db, enrollment_id)
    plan = db.get(TreatmentPlan, enrollment.id)
    fields = data.model_dump(mode="json")
    if plan is None:
        if if_match is not None and if_match.strip() != "*":
            raise PreconditionFailed("There is no treatment plan yet; send no If-Match")
        plan = TreatmentPlan(enrollment_id=enrollment.id, updated_by_id=staff_id(actor), **fields)
        # Two first PUTs at once: the loser must not overwrite the winner unseen.
        try:
            with db.begin_nested():
                db.add(plan)
                db.flush()
        except IntegrityError as error:
            raise PreconditionFailed("Someone else wrote the plan meanwhile; reload") from error
        action = "treatment_plan.create"
    else:
        check_if_match(if_match, plan.version)
        for field, value in fields.items():
            setattr(plan, field, value)
        plan.updated_by_id = staff_id(actor)
        flush_or_412(db)
        action = "treatment_plan.update"
    record(db, actor, action, "treatment_plan", enrollment.id, patient_id=enrollment.patient_id)
    return plan
