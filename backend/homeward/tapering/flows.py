"""Steps that cross from enrollments into tapering, where the dependency runs that way.

Tapering builds on the enrollment services (its approvals change phases through them),
so the enrollment services cannot call tapering back; a change made by hand that owes
tapering a follow-up goes through here.
"""

import uuid

from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.enrollments import service as enrollments
from homeward.enrollments.models import Enrollment
from homeward.enrollments.schemas import ChangePhaseRequest
from homeward.tapering.review import supersede_phase_recommendations


def change_phase_by_hand(
    db: Session,
    actor: Actor,
    enrollment_id: uuid.UUID,
    data: ChangePhaseRequest,
    *,
    if_match: str | None = None,
) -> Enrollment:
    """`enrollments.change_phase`, then the proposals made for the old phase are retired:
    they no longer apply once a clinician chose the phase."""
    enrollment = enrollments.change_phase(db, actor, enrollment_id, data, if_match=if_match)
    supersede_phase_recommendations(db, enrollment.id)
    return enrollment
