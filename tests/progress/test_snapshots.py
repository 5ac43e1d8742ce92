"""The progress snapshot: served while it is current, never once its inputs or the time
have changed the view (`homeward.progress.models`)."""

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import anyio
import orjson
import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from homeward.audit.models import AuditEvent
from homeward.audit.reads import SessionReads
from homeward.audit.service import Actor
from homeward.enrollments.models import PhaseChange
from homeward.homework.models import HomeworkStatus
from homeward.progress import service
from homeward.progress.models import ProgressMark
from homeward.sessions.models import Attendance, AttendanceStatus, RosterEntry
from homeward.settings import Settings
from tests.database_code import declared_names
from tests.factories import Factories, StaffClient
from tests.statements import audited_read_statements, count_queries
from tests.tapering.helpers import (
    AS_OF,
    clinic,
    enroll,
    event,
    freeze,
    homework,
    local,
    session,
    steady,
)


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


def test_every_counting_trigger_is_in_place(db: Session, settings: Settings) -> None:
    # A later migration that rebuilds one of these tables on SQLite would drop its
    # triggers without a word.
    if settings.is_sqlite:
        listed = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        listed = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    found = {name for name in db.scalars(text(listed)) if name.startswith("progress_marks_")}
    assert found == declared_names("progress", settings)


def _generation(db: Session, enrollment_id: uuid.UUID) -> int:
    db.flush()
    db.expire_all()
    found = db.scalar(
        select(ProgressMark.generation).where(ProgressMark.enrollment_id == enrollment_id)
    )
    return found or 0


def test_every_input_of_the_view_counts_a_change(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    elsewhere = enroll(factories, clinic(factories))
    untouched = _generation(db, elsewhere.id)
    state: dict[str, Any] = {}

    def rostered() -> None:
        state["session"] = session(factories, place, enrollment, AS_OF, None)

    def recorded() -> None:
        state["attendance"] = Attendance(
            session_id=state["session"].id,
            enrollment_id=enrollment.id,
            status=AttendanceStatus.present,
            minutes_attended=180,
        )
        db.add(state["attendance"])

    def assigned() -> None:
        state["homework"] = homework(db, enrollment, local(AS_OF, 9))

    def reported() -> None:
        state["event"] = event(db, enrollment, AS_OF)

    def phase_changed() -> None:
        state["change"] = PhaseChange(
            enrollment_id=enrollment.id,
            from_phase_id=place.phases[0].id,
            to_phase_id=place.phases[1].id,
            effective_on=AS_OF,
            reason="tapered",
        )
        db.add(state["change"])

    def phase_added() -> None:
        state["phase"] = factories.phase(place.program, [place.slots[0]])

    def slot_moved() -> None:
        place.slots[0].end_time = place.slots[0].end_time.replace(hour=11)

    writes: list[tuple[str, Callable[[], object]]] = [
        ("roster entry added", rostered),
        ("attendance recorded", recorded),
        ("attendance changed", lambda: setattr(state["attendance"], "minutes_attended", 90)),
        ("attendance removed", lambda: db.delete(state["attendance"])),
        ("session moved", lambda: setattr(state["session"], "room", "B")),
        (
            "roster entry removed",
            lambda: db.execute(
                delete(RosterEntry).where(RosterEntry.session_id == state["session"].id)
            ),
        ),
        ("homework assigned", assigned),
        (
            "homework submitted",
            lambda: setattr(state["homework"], "status", HomeworkStatus.submitted),
        ),
        ("homework removed", lambda: db.delete(state["homework"])),
        ("event reported", reported),
        ("event changed", lambda: setattr(state["event"], "note", "corrected")),
        ("event removed", lambda: db.delete(state["event"])),
        ("phase change recorded", phase_changed),
        ("phase change corrected", lambda: setattr(state["change"], "reason", "corrected")),
        ("phase change removed", lambda: db.delete(state["change"])),
        ("enrollment changed", lambda: setattr(enrollment, "expected_end_on", AS_OF)),
        ("program changed", lambda: setattr(place.program, "name", "Renamed")),
        ("phase added", phase_added),
        ("phase changed", lambda: setattr(state["phase"], "individual_sessions_per_week", 2)),
        ("slot added to a phase", lambda: state["phase"].slots.append(place.slots[1])),
        ("slot taken from a phase", lambda: state["phase"].slots.remove(place.slots[1])),
        ("slot moved", slot_moved),
        ("slot added", lambda: state.update(slot=factories.slot(place.program))),
        ("slot removed", lambda: db.delete(state["slot"])),
        ("phase removed", lambda: db.delete(state["phase"])),
    ]
    for name, write in writes:
        before = _generation(db, enrollment.id)
        write()
        assert _generation(db, enrollment.id) > before, name
    assert _generation(db, elsewhere.id) == untouched


def test_an_attendance_update_counts_only_what_the_view_reads(
    db: Session, factories: Factories
) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    treatment_session = session(factories, place, enrollment, AS_OF, None)
    record = Attendance(
        session_id=treatment_session.id,
        enrollment_id=enrollment.id,
        status=AttendanceStatus.present,
        minutes_attended=180,
    )
    db.add(record)
    recorded = _generation(db, enrollment.id)

    # A re-save that corrects a note: the view reads neither the note nor who recorded it.
    record.note = "arrived with a friend"
    record.recorded_at = record.recorded_at + timedelta(minutes=5)
    assert _generation(db, enrollment.id) == recorded

    record.status = AttendanceStatus.late
    assert _generation(db, enrollment.id) > recorded
    recorded = _generation(db, enrollment.id)
    record.minutes_attended = 120
    assert _generation(db, enrollment.id) > recorded


def _sql(statements: list[str]) -> list[str]:
    # Without the test transaction's savepoints around each request.
    return [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE"))]


def _url(enrollment_id: uuid.UUID) -> str:
    return f"/api/v1/enrollments/{enrollment_id}/progress"


def _fresh(db: Session, enrollment_id: uuid.UUID, weeks: int = 12) -> Any:
    return orjson.loads(service.compute_progress(db, Actor.system(), enrollment_id, weeks))


def test_a_repeated_read_is_served_from_the_snapshot_and_audited(
    clinician: StaffClient, db: Session, factories: Factories
) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    steady(factories, place, enrollment)
    with count_queries(db) as computing:
        first = clinician.get(_url(enrollment.id))
    with count_queries(db) as serving:
        second = clinician.get(_url(enrollment.id))
    assert first.status_code == second.status_code == 200, second.text
    assert second.json() == first.json()
    # The snapshot and its audit event, against the view's dozen statements.
    served, computed = _sql(serving), _sql(computing)
    assert len(served) == audited_read_statements(db) and len(computed) >= 10, served

    other_weeks = clinician.get(_url(enrollment.id), params={"weeks": 2})
    assert [week["week_start"] for week in other_weeks.json()["weeks"]] == [
        week["week_start"] for week in first.json()["weeks"][-2:]
    ]
    events = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "progress.read", AuditEvent.resource_id == str(enrollment.id)
        )
    ).all()
    assert [(e.patient_id, e.detail) for e in events] == [
        (enrollment.patient_id, {"weeks": 12}),
        (enrollment.patient_id, {"weeks": 12}),
        (enrollment.patient_id, {"weeks": 2}),
    ]
    assert first.json() == _fresh(db, enrollment.id)


def test_a_change_shows_at_once(clinician: StaffClient, db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    yesterday = session(factories, place, enrollment, AS_OF - timedelta(days=1), None)
    before = clinician.get(_url(enrollment.id)).json()
    assert before["current"]["unrecorded_sessions"] == 1

    recorded = clinician.put(
        f"/api/v1/sessions/{yesterday.id}/attendance",
        json=[{"enrollment_id": str(enrollment.id), "status": "present"}],
    )
    assert recorded.status_code == 200, recorded.text
    after = clinician.get(_url(enrollment.id)).json()
    assert after["current"]["unrecorded_sessions"] == 0
    assert after["weeks"][-1]["hours_attended"] == 3
    assert after == _fresh(db, enrollment.id)


def _read(db: Session, enrollment_id: uuid.UUID) -> tuple[Any, bool]:
    """The view as the route reads it, and whether it was the kept snapshot."""
    reads = SessionReads(db)
    with count_queries(db) as statements:
        body = anyio.run(service.get_progress, reads, lambda: db, Actor.system(), enrollment_id, 12)
    return orjson.loads(body), len(_sql(statements)) == 2


def test_the_snapshot_lasts_until_a_session_ends_or_homework_falls_due(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    # NOW is 20:00 program time: a session until 21:30, homework due at 22:00.
    session(factories, place, enrollment, AS_OF, None, hour=19, minutes=150)
    homework(db, enrollment, local(AS_OF, 22))

    def read_at(at: datetime) -> tuple[Any, bool]:
        freeze(monkeypatch, at)
        return _read(db, enrollment.id)

    evening, kept = read_at(local(AS_OF, 20))
    assert not kept
    assert evening["current"]["unrecorded_sessions"] == evening["weeks"][-1]["homework_due"] == 0
    assert read_at(local(AS_OF, 21, 29)) == (evening, True)
    ended, kept = read_at(local(AS_OF, 21, 30))
    assert not kept
    assert (ended["current"]["unrecorded_sessions"], ended["weeks"][-1]["homework_due"]) == (1, 0)
    assert read_at(local(AS_OF, 21, 59)) == (ended, True)
    due, kept = read_at(local(AS_OF, 22))
    assert not kept and due["weeks"][-1]["homework_due"] == 1
    assert read_at(local(AS_OF, 23, 59)) == (due, True)
    next_day, kept = read_at(local(AS_OF + timedelta(days=1), 0))
    assert not kept and next_day["current"]["as_of"] == (AS_OF + timedelta(days=1)).isoformat()


def test_a_snapshot_is_not_served_to_a_clock_set_before_it(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    session(factories, place, enrollment, AS_OF, "present", hour=9)
    _read(db, enrollment.id)
    assert _read(db, enrollment.id)[1]
    freeze(monkeypatch, local(AS_OF, 10))  # before that session ended
    earlier, kept = _read(db, enrollment.id)
    assert not kept and earlier["weeks"][-1]["hours_attended"] == 0
    assert earlier == _fresh(db, enrollment.id)
