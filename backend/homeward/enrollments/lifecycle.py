"""The enrollment lifecycle: admit, hold, resume, change phase, extend, complete, discharge.

    pending → active ⇄ on_hold → completed | discharged (discharge also from pending)

Every step appends to the enrollment's history (status changes, phase changes,
extensions), leaves an audit event, and re-rosters future sessions at once when
the status or phase changed. Other domains (tapering's approvals) call these. A status
change also moves the transfer the enrollment came from (`status_changed`).
"""

import uuid
from collections.abc import Callable, Collection
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, AuditEntry, record_many
from homeward.enrollments.exceptions import (
    AtCapacity,
    IllegalTransition,
    ProgramHasNoPhases,
    SamePhase,
)
from homeward.enrollments.loading import (
    load_enrollment,
    program_today,
    staff_id,
)
from homeward.enrollments.models import (
    CENSUS_STATUSES,
    Enrollment,
    EnrollmentStatus,
)
from homeward.enrollments.schemas import (
    AdmitRequest,
    ChangePhaseRequest,
    CompleteRequest,
    DischargeRequest,
    ExtendRequest,
    StatusNote,
)
from homeward.enrollments.writer import (
    Extending,
    PhaseMove,
    StatusMove,
    Versions,
    extend_enrollments,
    move_phases,
    move_statuses,
    record_phase_changes,
)
from homeward.errors import InvalidInput
from homeward.fields import ADMISSION_LOOKBACK_DAYS
from homeward.programs.models import Phase, Program
from homeward.sessions.rostering import future_sessions_of, sync_rosters
from homeward.transfers.follow import follow_enrollments

Status = EnrollmentStatus

# Which statuses each action starts from.
ALLOWED_FROM: dict[str, frozenset[EnrollmentStatus]] = {
    "admit": frozenset({Status.pending}),
    "hold": frozenset({Status.active}),
    "resume": frozenset({Status.on_hold}),
    "complete": frozenset({Status.active}),
    "discharge": frozenset({Status.pending, Status.active, Status.on_hold}),
    "change_phase": frozenset({Status.active, Status.on_hold}),
    "extend": frozenset({Status.active, Status.on_hold}),
}


def _start(db: Session, enrollment_id: uuid.UUID, action: str, if_match: str | None) -> Enrollment:
    enrollment = load_enrollment(db, enrollment_id, if_match)
    if enrollment.status not in ALLOWED_FROM[action]:
        raise IllegalTransition(action.replace("_", " "), enrollment.status)
    return enrollment


def _check_day(
    field: str, value: date, today: date, not_before: date | None, what: str = "admission"
) -> None:
    if value > today:
        raise InvalidInput.at(["body", field], f"{field} is in the future")
    if not_before is not None and value < not_before:
        raise InvalidInput.at(
            ["body", field], f"{field} is before the {what} ({not_before.isoformat()})"
        )


def _check_admission_plausible(program: Program, admitted_on: date, today: date) -> None:
    """Not before the program existed, nor further back than a late record plausibly is."""
    opened = program.created_at.astimezone(ZoneInfo(program.timezone)).date()
    earliest = max(opened, today - timedelta(days=ADMISSION_LOOKBACK_DAYS))
    if admitted_on < earliest:
        raise InvalidInput.at(
            ["body", "admitted_on"],
            f"admitted_on must be on or after {earliest.isoformat()}: not before the program "
            f"existed ({opened.isoformat()}) nor more than {ADMISSION_LOOKBACK_DAYS} days ago",
        )


def _move(
    db: Session,
    actor: Actor,
    enrollment: Enrollment,
    to_status: EnrollmentStatus,
    note: str,
    action: str,
    detail: dict[str, object] | None = None,
    dated: dict[str, object] | None = None,
) -> Enrollment:
    """Write the status move through the writer, as a list of one; then what follows it."""
    move = StatusMove(enrollment.id, enrollment.patient_id, enrollment.status, note, detail or {})
    _write(
        db,
        actor,
        lambda connection, by, now: move_statuses(
            connection, by, now, action, to_status, [move], dated=dated, versions=_read(enrollment)
        ),
    )
    sync_rosters(db, future_sessions_of([enrollment.id], after=clock.now()))
    status_changed(db, [enrollment.id])
    return load_enrollment(db, enrollment.id)


def _read(enrollment: Enrollment) -> Versions:
    """The version this request read: the writer refuses to write over a later one."""
    return {enrollment.id: enrollment.version}


def _write(
    db: Session,
    actor: Actor,
    write: Callable[[Connection, uuid.UUID | None, datetime], list[AuditEntry]],
) -> None:
    """Run one of the writer's changes in the request's transaction, with its audit events.

    Nothing is pending in the Session when it runs, and what the Session holds is stale
    after it, so it is expired.
    """
    db.flush()
    record_many(db, actor, write(db.connection(), staff_id(actor), clock.now()))
    db.expire_all()


def status_changed(db: Session, enrollment_ids: Collection[uuid.UUID]) -> None:
    """Where every change of an enrollment's status ends, one by one (`_move`) or a cohort
    at once (tapering's automatic changes): what follows an enrollment follows it here.

    The transfer an enrollment came from takes its status and tells the partner, in
    this transaction.
    """
    follow_enrollments(db, enrollment_ids)


def _census(db: Session, program_id: uuid.UUID) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(Enrollment)
            .where(Enrollment.program_id == program_id, Enrollment.status.in_(CENSUS_STATUSES))
        )
        or 0
    )


def admit(
    db: Session,
    actor: Actor,
    enrollment_id: uuid.UUID,
    data: AdmitRequest | None = None,
    *,
    if_match: str | None = None,
) -> Enrollment:
    """Start a pending enrollment in the program's first phase, within capacity."""
    data = data or AdmitRequest()
    enrollment = _start(db, enrollment_id, "admit", if_match)
    program = enrollment.program
    today = program_today(program)
    admitted_on = data.admitted_on or today
    _check_day("admitted_on", admitted_on, today, None)
    _check_admission_plausible(program, admitted_on, today)
    # Serialize admissions to one program so two can't both take its last place.
    db.execute(select(Program.id).where(Program.id == program.id).with_for_update())
    census = _census(db, program.id)
    over_capacity = census >= program.capacity
    if over_capacity and not data.override_capacity:
        raise AtCapacity(
            f"{census} of {program.capacity} places are taken; "
            "send override_capacity to admit anyway"
        )
    phases = sorted(program.phases, key=lambda phase: phase.order)
    if not phases:
        raise ProgramHasNoPhases()
    first = phases[0]
    admission = PhaseMove(enrollment.id, enrollment.patient_id, None, first.id, "admission")
    record_phase_changes(db.connection(), staff_id(actor), clock.now(), admitted_on, [admission])
    detail: dict[str, object] = {
        "admitted_on": admitted_on.isoformat(),
        "census": census,
        "capacity": program.capacity,
        "capacity_override": over_capacity,
    }
    dated: dict[str, object] = {
        "admitted_on": admitted_on,
        "current_phase_id": first.id,
        "phase_started_on": admitted_on,
        "expected_end_on": admitted_on + timedelta(days=program.default_length_days),
    }
    return _move(db, actor, enrollment, Status.active, data.note, "admit", detail, dated)


def hold(
    db: Session,
    actor: Actor,
    enrollment_id: uuid.UUID,
    data: StatusNote | None = None,
    *,
    if_match: str | None = None,
) -> Enrollment:
    """Pause attendance (a hospital stay, a family emergency); future rosters drop it."""
    enrollment = _start(db, enrollment_id, "hold", if_match)
    return _move(db, actor, enrollment, Status.on_hold, (data or StatusNote()).note, "hold")


def resume(
    db: Session,
    actor: Actor,
    enrollment_id: uuid.UUID,
    data: StatusNote | None = None,
    *,
    if_match: str | None = None,
) -> Enrollment:
    enrollment = _start(db, enrollment_id, "resume", if_match)
    return _move(db, actor, enrollment, Status.active, (data or StatusNote()).note, "resume")


def complete(
    db: Session,
    actor: Actor,
    enrollment_id: uuid.UUID,
    data: CompleteRequest | None = None,
    *,
    if_match: str | None = None,
) -> Enrollment:
    data = data or CompleteRequest()
    enrollment = _start(db, enrollment_id, "complete", if_match)
    today = program_today(enrollment.program)
    completed_on = data.completed_on or today
    _check_day("completed_on", completed_on, today, enrollment.admitted_on)
    return _move(
        db,
        actor,
        enrollment,
        Status.completed,
        data.note,
        "complete",
        {"completed_on": completed_on.isoformat()},
        {"completed_on": completed_on},
    )


def discharge(
    db: Session,
    actor: Actor,
    enrollment_id: uuid.UUID,
    data: DischargeRequest,
    *,
    if_match: str | None = None,
) -> Enrollment:
    enrollment = _start(db, enrollment_id, "discharge", if_match)
    today = program_today(enrollment.program)
    discharged_on = data.discharged_on or today
    _check_day("discharged_on", discharged_on, today, enrollment.admitted_on)
    return _move(
        db,
        actor,
        enrollment,
        Status.discharged,
        data.note,
        "discharge",
        {"discharged_on": discharged_on.isoformat(), "reason": data.reason.value},
        {"discharged_on": discharged_on, "discharge_reason": data.reason},
    )


def change_phase(
    db: Session,
    actor: Actor,
    enrollment_id: uuid.UUID,
    data: ChangePhaseRequest,
    *,
    if_match: str | None = None,
) -> Enrollment:
    """Move to another phase of the program; future sessions follow, the past stays."""
    enrollment = _start(db, enrollment_id, "change_phase", if_match)
    phase = db.get(Phase, data.phase_id)
    if phase is None or phase.program_id != enrollment.program_id:
        raise InvalidInput.at(["body", "phase_id"], "not a phase of this enrollment's program")
    if phase.id == enrollment.current_phase_id:
        raise SamePhase(f"Already in {phase.name}")
    today = program_today(enrollment.program)
    effective_on = data.effective_on or today
    _check_day(
        "effective_on",
        effective_on,
        today,
        enrollment.phase_started_on or enrollment.admitted_on,
        "start of the current phase",
    )
    move = PhaseMove(
        enrollment.id, enrollment.patient_id, enrollment.current_phase_id, phase.id, data.reason
    )
    _write(
        db,
        actor,
        lambda connection, by, now: move_phases(
            connection, by, now, effective_on, [move], versions=_read(enrollment)
        ),
    )
    sync_rosters(db, future_sessions_of([enrollment.id], after=clock.now()))
    return load_enrollment(db, enrollment.id)


def extend(
    db: Session,
    actor: Actor,
    enrollment_id: uuid.UUID,
    data: ExtendRequest,
    *,
    if_match: str | None = None,
) -> Enrollment:
    """Lengthen the stay by `days`, and say why."""
    enrollment = _start(db, enrollment_id, "extend", if_match)
    previous = enrollment.expected_end_on
    base = previous or program_today(enrollment.program)
    new_end = base + timedelta(days=data.days)
    extending = Extending(
        enrollment.id,
        enrollment.patient_id,
        data.days,
        data.reason,
        data.note,
        previous,
        new_end,
        {"reason": data.reason.value},
    )
    _write(
        db,
        actor,
        lambda connection, by, now: extend_enrollments(
            connection, by, now, [extending], versions=_read(enrollment)
        ),
    )
    return load_enrollment(db, enrollment.id)
