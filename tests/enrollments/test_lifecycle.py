"""Service tests for the enrollment lifecycle: every transition, every illegal one."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.enrollments import lifecycle, service
from homeward.enrollments.exceptions import (
    AlreadyEnrolled,
    AtCapacity,
    IllegalTransition,
    ProgramHasNoPhases,
    SamePhase,
)
from homeward.enrollments.models import (
    DischargeReason,
    Enrollment,
    EnrollmentStatus,
    Extension,
    PhaseChange,
    StatusChange,
)
from homeward.enrollments.schemas import (
    AdmitRequest,
    ChangePhaseRequest,
    CompleteRequest,
    DischargeRequest,
    EnrollmentCreate,
    ExtendRequest,
    StatusNote,
)
from homeward.errors import InvalidInput, PreconditionFailed
from homeward.programs import service as programs_service
from homeward.programs.exceptions import PhaseInUse
from tests.enrollments.helpers import TODAY, Clinic, audit_events, clinic, freeze, pending
from tests.factories import Factories

S = EnrollmentStatus


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


@pytest.fixture
def actor(factories: Factories) -> Actor:
    user = factories.user("clinician")
    return Actor("user", user.id, "clinician")


@pytest.fixture
def day(factories: Factories) -> Clinic:
    return clinic(factories)


def _statuses(db: Session, enrollment: Enrollment) -> list[tuple[S | None, S]]:
    rows = db.scalars(
        select(StatusChange)
        .where(StatusChange.enrollment_id == enrollment.id)
        .order_by(StatusChange.occurred_at, StatusChange.to_status)
    )
    return [(row.from_status, row.to_status) for row in rows]


def test_create_is_pending_and_refuses_a_second_open_enrollment(
    db: Session, factories: Factories, day: Clinic, actor: Actor
) -> None:
    patient = factories.patient()
    data = EnrollmentCreate(patient_id=patient.id, program_id=day.program.id)
    enrollment = service.create_enrollment(db, actor, data)
    assert enrollment.status == S.pending and enrollment.current_phase_id is None
    assert _statuses(db, enrollment) == [(None, S.pending)]
    with pytest.raises(AlreadyEnrolled):
        service.create_enrollment(db, actor, data)
    # Another program is fine, and so is coming back after discharge.
    other = clinic(factories)
    service.create_enrollment(
        db, actor, EnrollmentCreate(patient_id=patient.id, program_id=other.program.id)
    )
    service.discharge(
        db, actor, enrollment.id, DischargeRequest(reason=DischargeReason.administrative)
    )
    again = service.create_enrollment(db, actor, data)
    assert again.status == S.pending


def test_create_checks_its_references(
    db: Session, factories: Factories, day: Clinic, actor: Actor
) -> None:
    patient = factories.patient()
    with pytest.raises(InvalidInput) as no_patient:
        service.create_enrollment(
            db, actor, EnrollmentCreate(patient_id=day.program.id, program_id=day.program.id)
        )
    assert no_patient.value.errors and no_patient.value.errors[0].loc == ["body", "patient_id"]
    archived = factories.program(archived=True)
    with pytest.raises(InvalidInput):
        service.create_enrollment(
            db, actor, EnrollmentCreate(patient_id=patient.id, program_id=archived.id)
        )
    with pytest.raises(InvalidInput):
        service.create_enrollment(
            db,
            actor,
            EnrollmentCreate(
                patient_id=patient.id, program_id=day.program.id, primary_clinician_id=patient.id
            ),
        )


def test_admit_starts_the_first_phase_and_sets_the_expected_end(
    db: Session, factories: Factories, day: Clinic, actor: Actor
) -> None:
    enrollment = pending(factories, day.program)
    admitted = service.admit(db, actor, enrollment.id, AdmitRequest(admitted_on=date(2026, 2, 23)))
    assert admitted.status == S.active
    assert admitted.current_phase_id == day.intensive.id
    assert admitted.phase_started_on == date(2026, 2, 23)
    assert admitted.expected_end_on == date(2026, 2, 23) + timedelta(days=60)
    (change,) = db.scalars(select(PhaseChange).where(PhaseChange.enrollment_id == enrollment.id))
    assert change.from_phase_id is None and change.to_phase_id == day.intensive.id
    assert change.changed_by_id == actor.id
    assert _statuses(db, admitted) == [(S.pending, S.active)]
    (event,) = audit_events(db, "enrollment.admit")
    assert event.patient_id == enrollment.patient_id
    assert event.detail and event.detail["capacity_override"] is False


def test_admit_defaults_to_today_in_program_time_and_refuses_the_future(
    db: Session, factories: Factories, day: Clinic, actor: Actor
) -> None:
    enrollment = pending(factories, day.program)
    with pytest.raises(InvalidInput):
        service.admit(db, actor, enrollment.id, AdmitRequest(admitted_on=TODAY + timedelta(1)))
    assert service.admit(db, actor, enrollment.id).admitted_on == TODAY


def test_admit_needs_a_phase(db: Session, factories: Factories, actor: Actor) -> None:
    bare = factories.program()
    enrollment = pending(factories, bare)
    with pytest.raises(ProgramHasNoPhases):
        service.admit(db, actor, enrollment.id)


def test_capacity_counts_active_and_on_hold_and_can_be_overridden(
    db: Session, factories: Factories, actor: Actor
) -> None:
    full = clinic(factories, capacity=2)
    factories.enrollment(full.program, status=S.active)
    factories.enrollment(full.program, status=S.on_hold)
    factories.enrollment(full.program, status=S.completed)
    waiting = pending(factories, full.program)
    with pytest.raises(AtCapacity, match="2 of 2"):
        service.admit(db, actor, waiting.id)
    assert db.get(Enrollment, waiting.id).status == S.pending  # type: ignore[union-attr]

    admitted = service.admit(db, actor, waiting.id, AdmitRequest(override_capacity=True))
    assert admitted.status == S.active
    (event,) = audit_events(db, "enrollment.admit")
    assert event.detail is not None
    assert event.detail["capacity_override"] is True
    assert (event.detail["census"], event.detail["capacity"]) == (2, 2)


def _act(action: str, enrollment: Enrollment, clinic_: Clinic) -> Callable[..., Enrollment]:
    requests = {
        "admit": lambda db, actor: service.admit(db, actor, enrollment.id),
        "hold": lambda db, actor: service.hold(db, actor, enrollment.id, StatusNote(note="flu")),
        "resume": lambda db, actor: service.resume(db, actor, enrollment.id),
        "complete": lambda db, actor: service.complete(db, actor, enrollment.id),
        "discharge": lambda db, actor: service.discharge(
            db,
            actor,
            enrollment.id,
            DischargeRequest(reason=DischargeReason.against_medical_advice),
        ),
        "change_phase": lambda db, actor: service.change_phase(
            db,
            actor,
            enrollment.id,
            ChangePhaseRequest(phase_id=clinic_.taper.id, reason="steady progress"),
        ),
        "extend": lambda db, actor: service.extend(
            db, actor, enrollment.id, ExtendRequest(days=7, reason="relapse")
        ),
    }
    return requests[action]


EXPECTED = {
    # action: {from status: to status}
    "admit": {S.pending: S.active},
    "hold": {S.active: S.on_hold},
    "resume": {S.on_hold: S.active},
    "complete": {S.active: S.completed},
    "discharge": {S.pending: S.discharged, S.active: S.discharged, S.on_hold: S.discharged},
    "change_phase": {S.active: S.active, S.on_hold: S.on_hold},
    "extend": {S.active: S.active, S.on_hold: S.on_hold},
}


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("status", list(S))
def test_every_transition_and_every_illegal_one(
    db: Session,
    factories: Factories,
    day: Clinic,
    actor: Actor,
    action: str,
    status: EnrollmentStatus,
) -> None:
    if status == S.pending:
        enrollment = pending(factories, day.program)
    else:
        enrollment = factories.enrollment(day.program, status=status, admitted_on=date(2026, 2, 2))
    run = _act(action, enrollment, day)
    if status not in EXPECTED[action]:
        with pytest.raises(IllegalTransition) as refused:
            run(db, actor)
        assert refused.value.current_status == status
        assert status.value in str(refused.value.detail)
        assert db.get(Enrollment, enrollment.id).status == status  # type: ignore[union-attr]
        return
    after = run(db, actor)
    assert after.status == EXPECTED[action][status]
    if after.status != status:
        assert _statuses(db, enrollment)[-1] == (status, after.status)
        (event,) = audit_events(db, f"enrollment.{action}")
        assert event.patient_id == enrollment.patient_id


def test_complete_and_discharge_record_their_dates(
    db: Session, factories: Factories, day: Clinic, actor: Actor
) -> None:
    done = factories.enrollment(day.program)
    completed = service.complete(db, actor, done.id, CompleteRequest(completed_on=date(2026, 3, 1)))
    assert completed.completed_on == date(2026, 3, 1) and completed.discharged_on is None
    left = factories.enrollment(day.program)
    with pytest.raises(InvalidInput):
        service.discharge(
            db,
            actor,
            left.id,
            DischargeRequest(reason=DischargeReason.other, discharged_on=date(2025, 12, 1)),
        )
    discharged = service.discharge(
        db, actor, left.id, DischargeRequest(reason=DischargeReason.transferred_to_higher_level)
    )
    assert discharged.discharged_on == TODAY
    assert discharged.discharge_reason == DischargeReason.transferred_to_higher_level


def test_change_phase_validates_the_phase_and_date(
    db: Session, factories: Factories, day: Clinic, actor: Actor
) -> None:
    enrollment = factories.enrollment(day.program, day.intensive)
    other = clinic(factories)
    with pytest.raises(InvalidInput) as foreign:
        service.change_phase(
            db, actor, enrollment.id, ChangePhaseRequest(phase_id=other.taper.id, reason="x")
        )
    assert foreign.value.errors and foreign.value.errors[0].loc == ["body", "phase_id"]
    with pytest.raises(SamePhase):
        service.change_phase(
            db, actor, enrollment.id, ChangePhaseRequest(phase_id=day.intensive.id, reason="x")
        )
    for effective_on in (TODAY + timedelta(days=1), date(2026, 1, 4)):
        with pytest.raises(InvalidInput):
            service.change_phase(
                db,
                actor,
                enrollment.id,
                ChangePhaseRequest(phase_id=day.taper.id, reason="x", effective_on=effective_on),
            )
    with pytest.raises(ValidationError):
        ChangePhaseRequest.model_validate({"phase_id": str(day.taper.id), "reason": ""})


def test_phase_history_is_appended_with_names(
    db: Session, factories: Factories, day: Clinic, actor: Actor
) -> None:
    enrollment = pending(factories, day.program)
    service.admit(db, actor, enrollment.id, AdmitRequest(admitted_on=date(2026, 2, 2)))
    service.change_phase(
        db,
        actor,
        enrollment.id,
        ChangePhaseRequest(phase_id=day.taper.id, reason="steady", effective_on=date(2026, 2, 20)),
    )
    moved = service.change_phase(
        db, actor, enrollment.id, ChangePhaseRequest(phase_id=day.intensive.id, reason="relapse")
    )
    assert moved.phase_started_on == TODAY
    history = service.phase_history(db, actor, enrollment.id)
    assert [(h.from_phase_name, h.to_phase_name, h.reason) for h in history] == [
        (None, "Intensive", "admission"),
        ("Intensive", "Taper", "steady"),
        ("Taper", "Intensive", "relapse"),
    ]
    assert {h.changed_by_id for h in history} == {actor.id}


def test_extend_moves_the_expected_end_and_records_why(
    db: Session, factories: Factories, day: Clinic, actor: Actor
) -> None:
    enrollment = factories.enrollment(day.program, expected_end_on=date(2026, 3, 20))
    extended = service.extend(
        db, actor, enrollment.id, ExtendRequest(days=14, reason="relapse", note="used on 2/28")
    )
    assert extended.expected_end_on == date(2026, 4, 3)
    (row,) = db.scalars(select(Extension).where(Extension.enrollment_id == enrollment.id))
    assert (row.days, row.reason, row.previous_end_on, row.new_end_on) == (
        14,
        "relapse",
        date(2026, 3, 20),
        date(2026, 4, 3),
    )
    for days in (0, 91):
        with pytest.raises(ValidationError):
            ExtendRequest.model_validate({"days": days, "reason": "relapse"})
    with pytest.raises(ValidationError):
        ExtendRequest.model_validate({"days": 5, "reason": "boredom"})


def test_a_phase_someone_is_or_was_in_cannot_be_deleted(
    db: Session, factories: Factories, day: Clinic, actor: Actor
) -> None:
    enrollment = pending(factories, day.program)
    service.admit(db, actor, enrollment.id)
    spare = factories.phase(day.program, [], name="Spare")
    with pytest.raises(PhaseInUse):
        programs_service.delete_phase(db, actor, day.program.id, day.intensive.id)
    service.change_phase(
        db, actor, enrollment.id, ChangePhaseRequest(phase_id=day.taper.id, reason="x")
    )
    # No longer anyone's current phase, but still in the history.
    with pytest.raises(PhaseInUse):
        programs_service.delete_phase(db, actor, day.program.id, day.intensive.id)
    programs_service.delete_phase(db, actor, day.program.id, spare.id)
    assert [p.name for p in programs_service.list_phases(db, day.program.id)] == [
        "Intensive",
        "Taper",
    ]


# Each action writes through the set-based writer with the version it read: a change
# committed by someone else between that read and the write is refused, not overwritten.
_ACTIONS: dict[str, Callable[[Session, Actor, Enrollment, Clinic], object]] = {
    "admit": lambda db, a, e, day: service.admit(db, a, e.id),
    "hold": lambda db, a, e, day: service.hold(db, a, e.id, StatusNote(note="away")),
    "complete": lambda db, a, e, day: service.complete(db, a, e.id, CompleteRequest()),
    "discharge": lambda db, a, e, day: service.discharge(
        db, a, e.id, DischargeRequest(reason=DischargeReason.against_medical_advice)
    ),
    "change_phase": lambda db, a, e, day: service.change_phase(
        db, a, e.id, ChangePhaseRequest(phase_id=day.taper.id, reason="ready")
    ),
    "extend": lambda db, a, e, day: service.extend(
        db, a, e.id, ExtendRequest(days=7, reason="needs_more_support")
    ),
}


@pytest.mark.parametrize("action", sorted(_ACTIONS))
def test_a_change_made_after_the_read_is_not_overwritten(
    db: Session,
    factories: Factories,
    day: Clinic,
    actor: Actor,
    action: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if action == "admit":
        enrollment = pending(factories, day.program)
    else:
        enrollment = factories.enrollment(day.program, day.intensive, admitted_on=date(2026, 2, 2))
    read = lifecycle._read

    def someone_else_writes_first(read_enrollment: Enrollment) -> dict[object, int]:
        versions = read(read_enrollment)
        db.execute(
            update(Enrollment)
            .where(Enrollment.id == enrollment.id)
            .values(version=Enrollment.version + 1)
        )
        return dict(versions)

    monkeypatch.setattr(lifecycle, "_read", someone_else_writes_first)
    with pytest.raises(PreconditionFailed, match="Someone else changed this enrollment"):
        _ACTIONS[action](db, actor, enrollment, day)
