from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.enrollments.models import EnrollmentStatus
from homeward.errors import InvalidInput
from homeward.sessions.exceptions import ProgramNotFound
from homeward.sessions.models import (
    Attendance,
    AttendanceStatus,
    RosterEntry,
    SessionStatus,
    TreatmentSession,
)
from homeward.sessions.schedule import generate
from homeward.sessions.schemas import ScheduleGenerate
from tests.factories import Factories
from tests.sessions.helpers import NOW, audit_count, clinic, freeze
from tests.statements import count_queries

CHICAGO = ZoneInfo("America/Chicago")
ACTOR = Actor.system()


def _range(first: date, last: date) -> ScheduleGenerate:
    return ScheduleGenerate.model_validate({"from": first.isoformat(), "to": last.isoformat()})


def _sessions(db: Session, program_id: object) -> list[TreatmentSession]:
    return list(
        db.scalars(
            select(TreatmentSession)
            .where(TreatmentSession.program_id == program_id)
            .order_by(TreatmentSession.starts_at)
        )
    )


def _roster(db: Session, session_id: object) -> set[object]:
    return set(
        db.scalars(select(RosterEntry.enrollment_id).where(RosterEntry.session_id == session_id))
    )


@pytest.mark.parametrize(
    ("first", "last", "utc_hours"),
    [
        # Spring forward on Sunday 8 March 2026: CST (UTC-6) before, CDT (UTC-5) after.
        (date(2026, 3, 5), date(2026, 3, 11), [15, 15, 14, 14, 14]),
        # Fall back on Sunday 1 November 2026: CDT before, CST after.
        (date(2026, 10, 29), date(2026, 11, 4), [14, 14, 15, 15, 15]),
    ],
)
def test_local_time_stays_put_across_dst(
    db: Session,
    factories: Factories,
    monkeypatch: pytest.MonkeyPatch,
    first: date,
    last: date,
    utc_hours: list[int],
) -> None:
    freeze(monkeypatch)
    program = factories.program(timezone="America/Chicago")
    for weekday in (0, 1, 2, 3, 4):
        factories.slot(program, weekday=weekday, start=time(9), end=time(12))

    result = generate(db, ACTOR, program.id, _range(first, last))

    sessions = _sessions(db, program.id)
    assert result.created == 5 and len(sessions) == 5
    assert [s.starts_at.hour for s in sessions] == utc_hours
    for session in sessions:
        local_start = session.starts_at.astimezone(CHICAGO)
        assert (local_start.hour, local_start.minute) == (9, 0)
        assert session.ends_at.astimezone(CHICAGO).hour == 12
        assert session.ends_at - session.starts_at == timedelta(hours=3)


def test_a_time_skipped_by_spring_forward_lands_an_hour_later(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    program = factories.program(timezone="America/Chicago")
    factories.slot(program, weekday=6, start=time(2, 30), end=time(4))  # Sunday 02:30

    generate(db, ACTOR, program.id, _range(date(2026, 3, 8), date(2026, 3, 8)))

    (session,) = _sessions(db, program.id)
    assert session.starts_at == datetime(2026, 3, 8, 8, 30, tzinfo=UTC)
    assert session.starts_at.astimezone(CHICAGO).hour == 3  # 02:30 does not exist that night
    assert session.ends_at == datetime(2026, 3, 8, 9, tzinfo=UTC)  # 04:00 CDT


def test_generation_copies_the_slot_and_is_idempotent(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    setup = clinic(factories)
    enrollments = [setup.enroll(factories) for _ in range(3)]
    week = _range(date(2026, 3, 9), date(2026, 3, 15))

    first = generate(db, ACTOR, setup.program.id, week)
    assert (first.created, first.existing, first.rostered) == (2, 0, 6)
    monday = _sessions(db, setup.program.id)[0]
    assert monday.slot_id == setup.monday.id
    assert monday.title == setup.monday.title
    assert monday.session_type == setup.monday.session_type
    assert monday.facilitator_id == setup.monday.facilitator_id
    assert monday.room == "A"
    assert monday.status == SessionStatus.scheduled

    again = generate(db, ACTOR, setup.program.id, week)
    assert (again.created, again.existing, again.rostered) == (0, 2, 0)
    assert len(_sessions(db, setup.program.id)) == 2
    assert _roster(db, monday.id) == {e.id for e in enrollments}
    assert audit_count(db, "schedule.generate") == 2


def test_rosters_follow_phase_status_program_and_admission(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    setup = clinic(factories)
    intensive = setup.enroll(factories)
    tapering = setup.enroll(factories, setup.taper)
    setup.enroll(factories, status=EnrollmentStatus.on_hold)
    setup.enroll(factories, status=EnrollmentStatus.pending)
    setup.enroll(factories, status=EnrollmentStatus.discharged)
    other = clinic(factories)
    other.enroll(factories)
    # Admitted on Tuesday 3 March: not on the roster of the Monday before.
    latecomer = setup.enroll(factories, admitted_on=date(2026, 3, 3))

    generate(db, ACTOR, setup.program.id, _range(date(2026, 2, 23), date(2026, 3, 8)))

    by_day = {s.starts_at.astimezone(CHICAGO).date(): s for s in _sessions(db, setup.program.id)}
    assert _roster(db, by_day[date(2026, 2, 23)].id) == {intensive.id}
    assert _roster(db, by_day[date(2026, 2, 25)].id) == {intensive.id, tapering.id}
    assert _roster(db, by_day[date(2026, 3, 2)].id) == {intensive.id}
    assert _roster(db, by_day[date(2026, 3, 4)].id) == {intensive.id, tapering.id, latecomer.id}


def test_admission_day_is_read_on_the_programs_calendar(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wednesday's 18:00 group in Chicago starts at 00:00 UTC on Thursday."""
    freeze(monkeypatch)
    setup = clinic(factories, timezone="America/Chicago")
    on_wednesday = setup.enroll(factories, admitted_on=date(2026, 2, 25))
    on_thursday = setup.enroll(factories, admitted_on=date(2026, 2, 26))

    generate(db, ACTOR, setup.program.id, _range(date(2026, 2, 23), date(2026, 2, 27)))

    evening = next(s for s in _sessions(db, setup.program.id) if s.slot_id == setup.wednesday.id)
    assert evening.starts_at == datetime(2026, 2, 26, 0, tzinfo=UTC)
    assert _roster(db, evening.id) == {on_wednesday.id}
    assert on_thursday.id not in _roster(db, evening.id)


def test_regeneration_updates_future_rosters_and_keeps_the_past(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    setup = clinic(factories)
    stays, steps_down, was_present = (setup.enroll(factories) for _ in range(3))
    # Monday 23 Feb (past) to Sunday 8 March: NOW is Monday 2 March 06:00 local.
    span = _range(date(2026, 2, 23), date(2026, 3, 8))
    generate(db, ACTOR, setup.program.id, span)
    by_day = {s.starts_at.astimezone(CHICAGO).date(): s for s in _sessions(db, setup.program.id)}
    past, future = by_day[date(2026, 2, 23)], by_day[date(2026, 3, 2)]
    cancelled = by_day[date(2026, 3, 4)]
    cancelled.status = SessionStatus.cancelled
    # Attendance already recorded on a future session (marked early) keeps that entry.
    db.add(
        Attendance(
            session_id=future.id,
            enrollment_id=was_present.id,
            status=AttendanceStatus.absent_excused,
        )
    )
    steps_down.current_phase_id = setup.taper.id
    was_present.current_phase_id = setup.taper.id
    newcomer = setup.enroll(factories, admitted_on=date(2026, 3, 1))
    db.flush()

    result = generate(db, ACTOR, setup.program.id, span)

    assert result.created == 0 and result.existing == 4
    all_three = {stays.id, steps_down.id, was_present.id}
    assert _roster(db, past.id) == all_three
    assert _roster(db, future.id) == {stays.id, was_present.id, newcomer.id}
    assert _roster(db, cancelled.id) == all_three  # a cancelled session is left alone
    assert result.rostered == 1


def test_a_session_moved_within_its_day_is_not_duplicated(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    setup = clinic(factories)
    week = _range(date(2026, 3, 9), date(2026, 3, 15))
    generate(db, ACTOR, setup.program.id, week)
    monday = _sessions(db, setup.program.id)[0]
    monday.starts_at += timedelta(hours=2)
    monday.ends_at += timedelta(hours=2)
    db.flush()

    result = generate(db, ACTOR, setup.program.id, week)

    assert (result.created, result.existing) == (0, 2)
    assert len(_sessions(db, setup.program.id)) == 2


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (date(2026, 3, 9), date(2026, 3, 8), "on or after"),
        (date(2026, 3, 1), date(2026, 6, 1), "at most 92 days"),
    ],
)
def test_range_is_checked(
    db: Session, factories: Factories, first: date, last: date, message: str
) -> None:
    program = factories.program()
    with pytest.raises(InvalidInput) as raised:
        generate(db, ACTOR, program.id, _range(first, last))
    assert raised.value.errors is not None
    assert raised.value.errors[0].loc == ["body", "to"]
    assert message in raised.value.errors[0].msg


def test_92_days_is_the_limit(db: Session, factories: Factories) -> None:
    setup = clinic(factories)
    result = generate(db, ACTOR, setup.program.id, _range(date(2026, 3, 2), date(2026, 6, 1)))
    assert result.created == 27  # 13 weeks of two slots, and Monday 1 June


def test_unknown_program(db: Session) -> None:
    import uuid

    with pytest.raises(ProgramNotFound):
        generate(db, ACTOR, uuid.uuid4(), _range(date(2026, 3, 2), date(2026, 3, 8)))


def _week_statements(
    db: Session, factories: Factories, slots: int, enrollments: int
) -> tuple[int, int]:
    program = factories.program()
    facilitators = [factories.user("clinician") for _ in range(slots)]
    made = [
        factories.slot(program, weekday=i % 7, start=time(8 + i // 7), end=time(9 + i // 7))
        for i in range(slots)
    ]
    for slot, facilitator in zip(made, facilitators, strict=True):
        slot.facilitator_id = facilitator.id
    phase = factories.phase(program, made)
    for _ in range(enrollments):
        factories.enrollment(program, phase, admitted_on=date(2026, 1, 5))
    week = _range(date(2026, 3, 9), date(2026, 3, 15))
    with count_queries(db) as first:
        created = generate(db, ACTOR, program.id, week)
    assert created.created == slots and created.rostered == slots * enrollments
    with count_queries(db) as second:
        again = generate(db, ACTOR, program.id, week)
    assert again.existing == slots and again.rostered == 0
    return len(first), len(second)


def test_a_week_takes_the_same_statements_whatever_the_size(
    db: Session, factories: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, NOW)
    small = _week_statements(db, factories, slots=2, enrollments=2)
    large = _week_statements(db, factories, slots=21, enrollments=40)
    assert small == large


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [(date(1, 1, 1), date(1, 1, 2), "from"), (date(9999, 12, 30), date(9999, 12, 31), "to")],
)
def test_dates_stay_in_a_sane_range(
    db: Session, factories: Factories, first: date, last: date, field: str
) -> None:
    # Refused by the request's own date type (see `homeward.fields.Day`), before the service.
    with pytest.raises(ValidationError) as raised:
        _range(first, last)
    assert raised.value.errors()[0]["loc"] == ("from",)
