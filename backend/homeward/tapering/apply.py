"""Carrying out a recommendation through the enrollment lifecycle services."""

import uuid
from collections.abc import Collection
from datetime import date

from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.enrollments import service as enrollments
from homeward.enrollments.models import Enrollment, ExtensionReason
from homeward.enrollments.schemas import ChangePhaseRequest, CompleteRequest, ExtendRequest
from homeward.progress.metrics import EnrollmentState
from homeward.tapering.models import Action
from homeward.tapering.rules import Metric

_USE_METRICS = frozenset({Metric.relapse_events.value, Metric.days_since_last_use.value})


def fingerprint(enrollment: Enrollment | EnrollmentState, action: Action) -> str:
    """What must not change between a recommendation and its approval.

    Phase and status for every action; the expected end date too for extend and
    complete, which are about the length of the stay.
    """
    parts = [str(enrollment.current_phase_id), str(enrollment.phase_started_on)]
    parts.append(str(enrollment.status.value))
    if action in (Action.extend, Action.complete):
        parts.append(str(enrollment.expected_end_on))
    return "|".join(parts)


def apply_change(
    db: Session,
    actor: Actor,
    enrollment_id: uuid.UUID,
    *,
    action: Action,
    rule_name: str,
    proposed_phase_id: uuid.UUID | None,
    days: int | None,
    metrics: Collection[str],
    on: date | None,
    note: str | None = None,
) -> None:
    """Change phase, extend or complete; a review changes nothing."""
    why = f"Tapering rule {rule_name!r}" + (f": {note}" if note else "")
    if action in (Action.step_up, Action.step_down):
        assert proposed_phase_id is not None
        enrollments.change_phase(
            db,
            actor,
            enrollment_id,
            ChangePhaseRequest(phase_id=proposed_phase_id, reason=why[:500], effective_on=on),
        )
    elif action == Action.extend:
        assert days is not None
        reason = (
            ExtensionReason.relapse
            if _USE_METRICS & set(metrics)
            else ExtensionReason.needs_more_support
        )
        enrollments.extend(
            db, actor, enrollment_id, ExtendRequest(days=days, reason=reason, note=why[:2000])
        )
    elif action == Action.complete:
        enrollments.complete(
            db, actor, enrollment_id, CompleteRequest(completed_on=on, note=why[:2000])
        )
