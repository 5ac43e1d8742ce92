"""A small clinic to build tapering and progress scenarios on, and rows to fill it with."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from homeward import clock
from homeward.enrollments.models import (
    ClinicalEvent,
    Enrollment,
    EventKind,
    PhaseChange,
    ScreenResult,
)
from homeward.homework.models import Homework, HomeworkCategory, HomeworkStatus
from homeward.programs.models import Phase, Program, Slot
from homeward.sessions.models import Attendance, AttendanceStatus, SessionStatus, TreatmentSession
from tests.factories import Factories

TIMEZONE = "America/Chicago"
ZONE = ZoneInfo(TIMEZONE)
# A Friday; the clock stands at 20:00 that evening, program time.
AS_OF = date(2026, 2, 27)
NOW = datetime.combine(AS_OF, time(20), tzinfo=ZONE).astimezone(UTC)
ADMITTED = date(2026, 1, 5)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


def freeze(monkeypatch: pytest.MonkeyPatch, at: datetime = NOW) -> None:
    monkeypatch.setattr(clock, "now", lambda: at)


@dataclass
class Clinic:
    program: Program
    slots: list[Slot]
    phases: list[Phase]


def clinic(factories: Factories, phases: int = 3, last_min_days: int = 21) -> Clinic:
    """Phase n attends the first (phases - n + 1) weekday slots: the hours taper."""
    program = factories.program(timezone=TIMEZONE, capacity=100)
    slots = [factories.slot(program, weekday=day, start=time(9), end=time(12)) for day in range(5)]
    built = []
    for number in range(1, phases + 1):
        built.append(
            factories.phase(
                program,
                slots[: max(1, 5 - 2 * (number - 1))],
                order=number,
                name=f"Phase {number}",
                min_days=last_min_days if number == phases else 14,
            )
        )
    factories.db.refresh(program)
    return Clinic(program, slots, built)


def enroll(
    factories: Factories,
    place: Clinic,
    phase: int = 1,
    admitted_on: date = ADMITTED,
    phase_started_on: date | None = None,
    **overrides: object,
) -> Enrollment:
    """An active enrollment in phase number `phase`, with its phase history."""
    target = place.phases[phase - 1]
    enrollment = factories.enrollment(
        place.program,
        phase=target,
        admitted_on=admitted_on,
        phase_started_on=phase_started_on or admitted_on,
        **overrides,
    )
    db = factories.db
    db.add(
        PhaseChange(
            enrollment_id=enrollment.id,
            from_phase_id=None,
            to_phase_id=place.phases[0].id,
            effective_on=admitted_on,
            reason="admission",
        )
    )
    if phase != 1:
        db.add(
            PhaseChange(
                enrollment_id=enrollment.id,
                from_phase_id=place.phases[0].id,
                to_phase_id=target.id,
                effective_on=phase_started_on or admitted_on,
                reason="tapered",
            )
        )
    db.flush()
    return enrollment


def session(
    factories: Factories,
    place: Clinic,
    enrollment: Enrollment,
    day: date,
    status: str | None,
    *,
    hour: int = 9,
    minutes: int = 180,
    attended_minutes: int | None = None,
    cancelled: bool = False,
) -> TreatmentSession:
    """A session that `enrollment` is rostered on, with its attendance (None: unrecorded)."""
    treatment_session = factories.session(
        place.program,
        local(day, hour),
        minutes=minutes,
        roster=[enrollment],
        status=SessionStatus.cancelled if cancelled else SessionStatus.scheduled,
    )
    if status is not None:
        attendance_status = AttendanceStatus(status)
        if attended_minutes is None:
            attended_minutes = {"present": minutes, "late": minutes - 30, "left_early": 90}.get(
                status, 0
            )
        factories.db.add(
            Attendance(
                session_id=treatment_session.id,
                enrollment_id=enrollment.id,
                status=attendance_status,
                minutes_attended=attended_minutes,
            )
        )
        factories.db.flush()
    return treatment_session


def homework(
    db: Session,
    enrollment: Enrollment,
    due_at: datetime,
    status: HomeworkStatus = HomeworkStatus.assigned,
    submitted_at: datetime | None = None,
) -> Homework:
    item = Homework(
        enrollment_id=enrollment.id,
        title="Trigger journal",
        category=HomeworkCategory.trigger_journal,
        assigned_at=due_at - timedelta(days=1),
        due_at=due_at,
        status=status,
        submitted_at=submitted_at,
    )
    db.add(item)
    db.flush()
    return item


def event(
    db: Session,
    enrollment: Enrollment,
    day: date,
    kind: str = "relapse",
    result: str | None = None,
) -> ClinicalEvent:
    item = ClinicalEvent(
        enrollment_id=enrollment.id,
        kind=EventKind(kind),
        occurred_on=day,
        result=ScreenResult(result) if result else None,
    )
    db.add(item)
    db.flush()
    return item


def steady(factories: Factories, place: Clinic, enrollment: Enrollment, days: int = 14) -> None:
    """Present at a session every weekday and homework submitted, for the last `days` days."""
    for offset in range(days):
        day = AS_OF - timedelta(days=offset)
        if day.weekday() < 5:
            session(factories, place, enrollment, day, "present")
            homework(
                factories.db,
                enrollment,
                local(day, 8),
                HomeworkStatus.submitted,
                submitted_at=local(day, 7),
            )
