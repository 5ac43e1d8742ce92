"""A small hand-built clinic whose report figures are worked out by hand in the tests."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from homeward.enrollments.models import (
    ClinicalEvent,
    DischargeReason,
    Enrollment,
    EnrollmentStatus,
    EventKind,
    ScreenResult,
)
from homeward.homework.models import Homework, HomeworkCategory, HomeworkStatus
from homeward.programs.models import Phase, Program
from tests.factories import Factories

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


@dataclass
class SmallClinic:
    alpha: Program
    beta: Program
    alpha_phases: list[Phase]
    beta_phase: Phase
    enrollments: dict[str, Enrollment] = field(default_factory=dict)


def homework(
    factories: Factories, enrollment: Enrollment, due_at: datetime, submitted_at: datetime | None
) -> Homework:
    row = Homework(
        enrollment_id=enrollment.id,
        title="Trigger journal",
        category=HomeworkCategory.trigger_journal,
        assigned_at=due_at.replace(hour=0),
        due_at=due_at,
        status=HomeworkStatus.submitted if submitted_at else HomeworkStatus.assigned,
        submitted_at=submitted_at,
    )
    factories.db.add(row)
    factories.db.flush()
    return row


def event(
    factories: Factories,
    enrollment: Enrollment,
    kind: EventKind,
    on: date,
    result: ScreenResult | None = None,
) -> None:
    factories.db.add(
        ClinicalEvent(enrollment_id=enrollment.id, kind=kind, occurred_on=on, result=result)
    )
    factories.db.flush()


def build_small_clinic(factories: Factories) -> SmallClinic:
    """Two programs (and an archived, empty one) with stays, events and homework.

    Figures for February 2026 are spelled out in `tests/reports/test_reports.py`.
    """
    alpha = factories.program(name="Alpha IOP", capacity=10, timezone="America/Chicago")
    slot = factories.slot(alpha, weekday=0, start=time(9), end=time(12))
    p1 = factories.phase(alpha, [slot], order=1, name="Alpha 1")
    p2 = factories.phase(alpha, [slot], order=2, name="Alpha 2")
    beta = factories.program(name="Beta PHP", capacity=4, timezone="America/New_York")
    q1 = factories.phase(beta, [factories.slot(beta)], order=1, name="Beta 1")
    factories.program(name="Zeta (archived)", capacity=8, archived=True)
    clinic = SmallClinic(alpha, beta, [p1, p2], q1)
    e = clinic.enrollments
    active, on_hold = EnrollmentStatus.active, EnrollmentStatus.on_hold
    completed, discharged = EnrollmentStatus.completed, EnrollmentStatus.discharged
    e["a1"] = factories.enrollment(alpha, p1, status=active)
    e["a2"] = factories.enrollment(alpha, p1, status=active)
    e["a3"] = factories.enrollment(alpha, p2, status=active)
    e["a4"] = factories.enrollment(alpha, p2, status=on_hold)
    e["a5"] = factories.enrollment(
        alpha, status=EnrollmentStatus.pending, current_phase_id=None, phase_started_on=None
    )
    e["a5"].admitted_on = e["a5"].expected_end_on = None
    e["a6"] = factories.enrollment(
        alpha, p2, status=completed, admitted_on=date(2026, 1, 5), completed_on=date(2026, 2, 20)
    )
    e["a7"] = factories.enrollment(
        alpha,
        p1,
        status=discharged,
        admitted_on=date(2026, 2, 1),
        discharged_on=date(2026, 2, 11),
        discharge_reason=DischargeReason.against_medical_advice,
    )
    e["a8"] = factories.enrollment(
        alpha,
        p1,
        status=discharged,
        admitted_on=date(2025, 11, 1),
        discharged_on=date(2025, 12, 15),
        discharge_reason=DischargeReason.administrative,
    )
    e["b1"] = factories.enrollment(beta, q1, status=active)
    e["b2"] = factories.enrollment(
        beta, q1, status=completed, admitted_on=date(2026, 1, 10), completed_on=date(2026, 2, 9)
    )
    e["b3"] = factories.enrollment(
        beta,
        q1,
        status=discharged,
        admitted_on=date(2026, 2, 10),
        discharged_on=date(2026, 2, 14),
        discharge_reason=DischargeReason.transferred_to_higher_level,
    )

    event(factories, e["a1"], EventKind.relapse, date(2026, 2, 10))
    event(factories, e["a3"], EventKind.drug_screen, date(2026, 2, 15), ScreenResult.positive)
    event(factories, e["a2"], EventKind.drug_screen, date(2026, 2, 15), ScreenResult.negative)
    event(factories, e["a4"], EventKind.relapse, date(2026, 1, 20))
    event(factories, e["b3"], EventKind.crisis, date(2026, 2, 12))

    def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2026, month, day, hour, minute, tzinfo=UTC)

    homework(factories, e["a1"], at(2, 10, 15), submitted_at=at(2, 10, 3))
    homework(factories, e["a1"], at(2, 11, 15), submitted_at=at(2, 11, 3))
    homework(factories, e["a2"], at(2, 12, 15), submitted_at=None)
    # 05:30 UTC on March 1 is still February 28 in Chicago: inside February.
    homework(factories, e["a2"], at(3, 1, 5, 30), submitted_at=None)
    # 05:00 UTC on February 1 is January 31 in Chicago: outside February.
    homework(factories, e["a3"], at(2, 1, 5), submitted_at=at(1, 31, 20))
    homework(factories, e["a1"], at(3, 5, 15), submitted_at=None)  # not yet due
    homework(factories, e["a2"], at(3, 2, 10), submitted_at=None)  # due this morning
    homework(factories, e["b1"], at(2, 20, 14), submitted_at=at(2, 21, 9))  # late still counts
    return clinic
