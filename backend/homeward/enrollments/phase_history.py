"""An enrollment's phase history as it reads: every phase move, with the phases' names."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from homeward.audit.service import Actor, record
from homeward.enrollments.loading import require_enrollment
from homeward.enrollments.models import PhaseChange
from homeward.enrollments.schemas import PhaseChangeRead
from homeward.programs.models import Phase


def phase_history(db: Session, actor: Actor, enrollment_id: uuid.UUID) -> list[PhaseChangeRead]:
    """Every phase move, admission first, with the phases' names."""
    enrollment = require_enrollment(db, enrollment_id)
    from_phase, to_phase = aliased(Phase), aliased(Phase)
    rows = db.execute(
        select(PhaseChange, from_phase.name, to_phase.name)
        .join(to_phase, to_phase.id == PhaseChange.to_phase_id)
        .outerjoin(from_phase, from_phase.id == PhaseChange.from_phase_id)
        .where(PhaseChange.enrollment_id == enrollment.id)
        .order_by(PhaseChange.effective_on, PhaseChange.created_at, PhaseChange.id)
    ).all()
    record(
        db,
        actor,
        "enrollment.phase_history.read",
        "enrollment",
        enrollment.id,
        patient_id=enrollment.patient_id,
    )
    return [
        PhaseChangeRead(
            id=change.id,
            enrollment_id=change.enrollment_id,
            from_phase_id=change.from_phase_id,
            from_phase_name=from_name,
            to_phase_id=change.to_phase_id,
            to_phase_name=to_name,
            effective_on=change.effective_on,
            reason=change.reason,
            changed_by_id=change.changed_by_id,
            created_at=change.created_at,
        )
        for change, from_name, to_name in rows
    ]
