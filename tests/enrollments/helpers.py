"""Programs with slots and phases, and a frozen clock, for enrollment tests."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.models import AuditEvent
from homeward.enrollments.models import Enrollment, EnrollmentStatus
from homeward.programs.models import Phase, Program, Slot
from tests.factories import Factories

# Monday 2 March 2026, 06:00 in Chicago.
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
TODAY = date(2026, 3, 2)


def freeze(monkeypatch: pytest.MonkeyPatch, at: datetime = NOW) -> None:
    monkeypatch.setattr(clock, "now", lambda: at)


@dataclass
class Clinic:
    program: Program
    monday: Slot
    wednesday: Slot
    intensive: Phase
    taper: Phase


def clinic(factories: Factories, **program: Any) -> Clinic:
    """A program whose intensive phase attends Monday and Wednesday, its taper Wednesday.

    It has run for a year: admissions may be recorded for the weeks before `NOW`."""
    built = factories.program(**{"created_at": NOW - timedelta(days=365), **program})
    monday = factories.slot(built, weekday=0, start=time(9), end=time(12))
    wednesday = factories.slot(built, weekday=2, start=time(9), end=time(12))
    intensive = factories.phase(built, [monday, wednesday], name="Intensive")
    taper = factories.phase(built, [wednesday], name="Taper")
    return Clinic(built, monday, wednesday, intensive, taper)


def audit_events(db: Session, action: str) -> list[AuditEvent]:
    return list(
        db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def pending(factories: Factories, program: Program, **overrides: Any) -> Enrollment:
    """A pending enrollment, as `POST /enrollments` leaves it: no admission, no phase."""
    enrollment = factories.enrollment(program, status=EnrollmentStatus.pending, **overrides)
    enrollment.current_phase_id = None
    enrollment.admitted_on = enrollment.phase_started_on = enrollment.expected_end_on = None
    factories.db.flush()
    return enrollment
