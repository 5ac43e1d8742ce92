"""Carrying out recommendations: one at a time through the enrollment services when
approved, set-based for a cohort's automatic changes."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from homeward.audit.service import Actor, record_many
from homeward.enrollments import service as enrollments
from homeward.enrollments.loading import staff_id
from homeward.enrollments.models import Enrollment, EnrollmentStatus, ExtensionReason
from homeward.enrollments.schemas import ChangePhaseRequest, CompleteRequest, ExtendRequest
from homeward.enrollments.writer import (
    Extending,
    PhaseMove,
    StatusMove,
    extend_enrollments,
    move_phases,
    move_statuses,
)
from homeward.progress.metrics import EnrollmentState
from homeward.sessions.rostering import future_sessions_of, sync_rosters
from homeward.tapering.engine import Decision
from homeward.tapering.models import Action
from homeward.tapering.rules import Metric

_USE_METRICS = frozenset({Metric.relapse_events.value, Metric.days_since_last_use.value})


def _extension_reason(metrics: Collection[str]) -> ExtensionReason:
    """A relapse when the rule looked at use; otherwise the client needs more support."""
    if _USE_METRICS & set(metrics):
        return ExtensionReason.relapse
    return ExtensionReason.needs_more_support


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
        enrollments.extend(
            db,
            actor,
            enrollment_id,
            ExtendRequest(days=days, reason=_extension_reason(metrics), note=why[:2000]),
        )
    elif action == Action.complete:
        enrollments.complete(
            db, actor, enrollment_id, CompleteRequest(completed_on=on, note=why[:2000])
        )


@dataclass(frozen=True)
class AutoChange:
    state: EnrollmentState
    decision: Decision


def _applicable(change: AutoChange, on: date) -> bool:
    state, action = change.state, change.decision.action
    if state.status != EnrollmentStatus.active:
        return False
    if action in (Action.step_up, Action.step_down):
        return state.phase_started_on is None or state.phase_started_on <= on
    if action == Action.complete:
        return state.admitted_on is None or state.admitted_on <= on
    return True


def apply_in_bulk(
    db: Session, actor: Actor, changes: list[AutoChange], on: date, now: datetime
) -> list[AutoChange]:
    """Carry out the changes of `auto` rules for a whole cohort, set-based.

    The same rows the enrollment services write (`enrollments/writer.py`: history rows,
    the enrollment's new phase, end date or status, one audit event per change), then
    re-rostered future sessions, in a fixed number of statements however many changes
    there are. Returns the changes applied; one that cannot happen on `on` (a phase that
    began later, say) is left out and stays a recommendation.
    """
    applied = [change for change in changes if _applicable(change, on)]
    if not applied:
        return []
    connection, by = db.connection(), staff_id(actor)
    by_action: dict[Action, list[AutoChange]] = {}
    for change in applied:
        by_action.setdefault(change.decision.action, []).append(change)
    moves = by_action.get(Action.step_up, []) + by_action.get(Action.step_down, [])
    completes = by_action.get(Action.complete, [])
    audit = extend_enrollments(
        connection, by, now, [_extending(c, on) for c in by_action.get(Action.extend, [])]
    )
    audit += move_phases(connection, by, now, on, [_phase_move(c) for c in moves])
    audit += move_statuses(
        connection,
        by,
        now,
        "complete",
        EnrollmentStatus.completed,
        [_completion(c, on) for c in completes],
        dated={"completed_on": on},
    )
    if moves or completes:
        sync_rosters(db, future_sessions_of([c.state.id for c in moves + completes], now))
    if completes:
        # As a completion by hand does: the transfer it came from follows, and is announced.
        enrollments.status_changed(db, [c.state.id for c in completes])
    record_many(db, actor, audit)
    db.expire_all()
    return applied


def _why(change: AutoChange) -> str:
    return f"Tapering rule {change.decision.rule.name!r}: applied automatically"[:500]


def _automatic(change: AutoChange) -> dict[str, object]:
    return {"rule": change.decision.rule.name, "automatic": True}


def _extending(change: AutoChange, on: date) -> Extending:
    state, days = change.state, change.decision.days or 0
    return Extending(
        enrollment_id=state.id,
        patient_id=state.patient_id,
        days=days,
        reason=_extension_reason([e["metric"] for e in change.decision.evidence]),
        note=_why(change),
        previous_end_on=state.expected_end_on,
        new_end_on=(state.expected_end_on or on) + timedelta(days=days),
        detail=_automatic(change),
    )


def _phase_move(change: AutoChange) -> PhaseMove:
    assert change.decision.proposed_phase_id is not None
    return PhaseMove(
        enrollment_id=change.state.id,
        patient_id=change.state.patient_id,
        from_phase_id=change.state.current_phase_id,
        to_phase_id=change.decision.proposed_phase_id,
        reason=_why(change),
        detail=_automatic(change),
    )


def _completion(change: AutoChange, on: date) -> StatusMove:
    return StatusMove(
        enrollment_id=change.state.id,
        patient_id=change.state.patient_id,
        from_status=EnrollmentStatus.active,
        note=_why(change),
        detail={"completed_on": on.isoformat(), **_automatic(change)},
    )
