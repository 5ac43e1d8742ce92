"""Shared by the sessions and homework tests: a frozen clock and small builders."""

from dataclasses import dataclass
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.models import AuditEvent
from homeward.enrollments.models import Enrollment
from homeward.programs.models import Phase, Program, Slot
from tests.factories import Factories

# A Monday, 12:00 UTC (06:00 in Chicago).
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def freeze(monkeypatch: pytest.MonkeyPatch, at: datetime = NOW) -> datetime:
    monkeypatch.setattr(clock, "now", lambda: at)
    return at


def audit_count(db: Session, action: str) -> int:
    return db.scalar(select(func.count()).where(AuditEvent.action == action)) or 0


@dataclass
class Clinic:
    """A program with two weekly slots and two phases: intensive (both) and taper (Wednesday)."""

    program: Program
    monday: Slot
    wednesday: Slot
    intensive: Phase
    taper: Phase

    def enroll(self, factories: Factories, phase: Phase | None = None, **kw: object) -> Enrollment:
        return factories.enrollment(self.program, phase or self.intensive, **kw)


def clinic(factories: Factories, **program: object) -> Clinic:
    built = factories.program(**program)
    facilitator = factories.user("clinician")
    monday = factories.slot(
        built, weekday=0, start=time(9), end=time(12), facilitator_id=facilitator.id, room="A"
    )
    wednesday = factories.slot(built, weekday=2, start=time(18), end=time(20), title="Evening")
    intensive = factories.phase(built, [monday, wednesday])
    taper = factories.phase(built, [wednesday])
    return Clinic(built, monday, wednesday, intensive, taper)
