import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.enrollments.models import EnrollmentStatus
from homeward.errors import InvalidInput, PermissionDenied
from homeward.programs.models import SessionType
from homeward.sessions import service
from homeward.sessions.exceptions import (
    FacilitatorBusy,
    GroupNoteExists,
    SessionCancelled,
    SessionEnded,
    SessionNotFound,
    SessionTimesFixed,
)
from homeward.sessions.models import (
    Attendance,
    AttendanceStatus,
    SessionStatus,
    TreatmentSession,
)
from homeward.sessions.schemas import SessionCreate, SessionUpdate
from tests.factories import Factories
from tests.sessions.helpers import NOW, audit_count, clinic, freeze

ACTOR = Actor.system()
MEDICAL = Actor("user", uuid.uuid4(), "medical")


def _create(
    program_id: object,
    starts_at: datetime,
    minutes: int = 60,
    **extra: Any,
) -> SessionCreate:
    body: dict[str, Any] = {
        "program_id": program_id,
        "session_type": "individual_therapy",
        "title": "Individual",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=minutes),
    }
    body.update(extra)
    return SessionCreate.model_validate(body)


def test_ad_hoc_session_with_its_roster(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    setup = clinic(factories)
    client = setup.enroll(factories, patient=factories.patient(given_name="Ada", family_name="B"))
    created = service.create_session(
        db,
        ACTOR,
        _create(setup.program.id, NOW + timedelta(days=1), roster=[client.id, client.id]),
    )
    assert created.slot_id is None
    assert [(e.enrollment_id, e.patient_name, e.attendance_status) for e in created.roster] == [
        (client.id, "Ada B", None)
    ]
    assert audit_count(db, "session.create") == 1


@pytest.mark.parametrize("problem", ["other program", "discharged", "unknown"])
def test_roster_must_be_enrollments_of_the_program(
    db: Session, factories: Factories, problem: str
) -> None:
    setup = clinic(factories)
    ok = setup.enroll(factories)
    if problem == "other program":
        wrong = clinic(factories).enroll(factories).id
    elif problem == "discharged":
        wrong = setup.enroll(factories, status=EnrollmentStatus.discharged).id
    else:
        wrong = uuid.uuid4()
    with pytest.raises(InvalidInput) as raised:
        service.create_session(db, ACTOR, _create(setup.program.id, NOW, roster=[ok.id, wrong]))
    assert raised.value.errors is not None
    assert raised.value.errors[0].loc == ["body", "roster", 1]


def test_unknown_program_and_bad_times_are_422(db: Session, factories: Factories) -> None:
    with pytest.raises(InvalidInput) as raised:
        service.create_session(db, ACTOR, _create(uuid.uuid4(), NOW))
    assert raised.value.errors and raised.value.errors[0].loc == ["body", "program_id"]
    program = factories.program()
    with pytest.raises(InvalidInput) as raised:
        service.create_session(db, ACTOR, _create(program.id, NOW, minutes=0))
    assert raised.value.errors and raised.value.errors[0].loc == ["body", "ends_at"]
    with pytest.raises(InvalidInput):
        service.create_session(db, ACTOR, _create(program.id, NOW, minutes=13 * 60))
    with pytest.raises(InvalidInput) as raised:
        service.create_session(db, ACTOR, _create(program.id, NOW, facilitator_id=uuid.uuid4()))
    assert raised.value.errors and raised.value.errors[0].loc == ["body", "facilitator_id"]


def test_a_facilitator_cannot_be_booked_twice(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)  # the sessions are upcoming: an ended one's times cannot move
    program = factories.program()
    therapist = factories.user("clinician")
    first = service.create_session(
        db, ACTOR, _create(program.id, NOW, minutes=60, facilitator_id=therapist.id)
    )
    with pytest.raises(FacilitatorBusy):
        service.create_session(
            db,
            ACTOR,
            _create(program.id, NOW + timedelta(minutes=30), facilitator_id=therapist.id),
        )
    # Back to back is fine, and so is another facilitator at the same time.
    second = service.create_session(
        db, ACTOR, _create(program.id, NOW + timedelta(hours=1), facilitator_id=therapist.id)
    )
    service.create_session(db, ACTOR, _create(program.id, NOW, facilitator_id=factories.user().id))

    # Moving the second session onto the first clashes; so does taking over its facilitator.
    with pytest.raises(FacilitatorBusy):
        service.update_session(
            db, ACTOR, second.id, SessionUpdate(starts_at=NOW + timedelta(minutes=45))
        )
    other = service.create_session(db, ACTOR, _create(program.id, NOW))
    with pytest.raises(FacilitatorBusy):
        service.update_session(db, ACTOR, other.id, SessionUpdate(facilitator_id=therapist.id))

    # A cancelled session frees the time.
    stored = db.get(TreatmentSession, first.id)
    assert stored is not None
    stored.status = SessionStatus.cancelled
    db.flush()
    moved = service.update_session(db, ACTOR, other.id, SessionUpdate(facilitator_id=therapist.id))
    assert moved.facilitator_id == therapist.id


def test_generated_sessions_count_as_bookings(db: Session, factories: Factories) -> None:
    setup = clinic(factories)
    group = factories.session(
        setup.program, NOW, slot=setup.monday, facilitator_id=setup.monday.facilitator_id
    )
    with pytest.raises(FacilitatorBusy):
        service.create_session(
            db,
            ACTOR,
            _create(setup.program.id, group.starts_at, facilitator_id=group.facilitator_id),
        )


def test_update_changes_fields_and_refuses_nulls(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    program = factories.program()
    session = service.create_session(db, ACTOR, _create(program.id, NOW))
    updated = service.update_session(
        db,
        ACTOR,
        session.id,
        SessionUpdate.model_validate({"title": "Family session", "room": "B2"}),
    )
    assert (updated.title, updated.room) == ("Family session", "B2")
    with pytest.raises(ValidationError):
        SessionUpdate.model_validate({"title": None})
    with pytest.raises(InvalidInput):
        service.update_session(
            db, ACTOR, session.id, SessionUpdate(ends_at=session.starts_at - timedelta(hours=1))
        )


def test_cancel(db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)
    program = factories.program()
    upcoming = factories.session(program, NOW + timedelta(hours=2))
    cancelled = service.cancel_session(db, ACTOR, upcoming.id, "facilitator ill")
    assert cancelled.status == SessionStatus.cancelled
    assert cancelled.cancel_reason == "facilitator ill"
    with pytest.raises(SessionCancelled):
        service.cancel_session(db, ACTOR, upcoming.id, "again")
    with pytest.raises(SessionCancelled):
        service.update_session(db, ACTOR, upcoming.id, SessionUpdate(title="x"))

    ended = factories.session(program, NOW - timedelta(hours=4), minutes=60)
    with pytest.raises(SessionEnded):
        service.cancel_session(db, ACTOR, ended.id, "too late")
    in_progress = factories.session(program, NOW - timedelta(minutes=30), minutes=60)
    assert service.cancel_session(db, ACTOR, in_progress.id, "fire drill").status == "cancelled"
    with pytest.raises(SessionNotFound):
        service.cancel_session(db, ACTOR, uuid.uuid4(), "x")


def test_group_note_is_written_once(db: Session, factories: Factories) -> None:
    program = factories.program()
    author = factories.user("clinician")
    session = factories.session(program, NOW)
    actor = Actor("user", author.id, "clinician")
    written = service.write_group_note(db, actor, session.id, "Good energy; two shared.")
    assert written.group_note == "Good energy; two shared."
    assert written.group_note_by_id == author.id
    with pytest.raises(GroupNoteExists):
        service.write_group_note(db, actor, session.id, "Replacing it")
    assert service.get_session(db, actor, session.id).group_note == "Good energy; two shared."

    cancelled = factories.session(program, NOW, status=SessionStatus.cancelled)
    with pytest.raises(SessionCancelled):
        service.write_group_note(db, actor, cancelled.id, "note")


def test_medical_staff_book_medical_sessions_only(db: Session, factories: Factories) -> None:
    program = factories.program()
    with pytest.raises(PermissionDenied):
        service.create_session(db, MEDICAL, _create(program.id, NOW))
    visit = service.create_session(
        db, MEDICAL, _create(program.id, NOW, session_type=SessionType.medical)
    )
    assert visit.session_type == SessionType.medical


def test_an_ended_or_recorded_session_keeps_its_times(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    setup = clinic(factories)
    client = setup.enroll(factories)
    ended = factories.session(setup.program, NOW - timedelta(hours=4), minutes=60)
    with pytest.raises(SessionTimesFixed):
        service.update_session(db, ACTOR, ended.id, SessionUpdate(starts_at=NOW + timedelta(1)))
    # Its other fields may still change, and so may sending the times it already has.
    renamed = service.update_session(
        db, ACTOR, ended.id, SessionUpdate(title="Relapse prevention", starts_at=ended.starts_at)
    )
    assert renamed.title == "Relapse prevention"

    started = factories.session(setup.program, NOW - timedelta(minutes=30), roster=[client])
    db.add(
        Attendance(
            session_id=started.id,
            enrollment_id=client.id,
            status=AttendanceStatus.present,
            minutes_attended=30,
        )
    )
    db.flush()
    with pytest.raises(SessionTimesFixed):
        service.update_session(
            db, ACTOR, started.id, SessionUpdate(ends_at=started.ends_at + timedelta(hours=1))
        )
    later = NOW + timedelta(days=1, hours=1)
    upcoming = factories.session(setup.program, NOW + timedelta(days=1))
    moved = service.update_session(db, ACTOR, upcoming.id, SessionUpdate(starts_at=later))
    assert moved.starts_at == later
