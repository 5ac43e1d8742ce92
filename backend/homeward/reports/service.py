"""Census and outcomes: aggregate figures per program and overall, in a fixed number of queries.

Each report is a handful of `GROUP BY` queries whatever the clinic's size, and
carries counts and rates only, never a patient. Reading one is audited.
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.enrollments.models import (
    ClinicalEvent,
    Enrollment,
    EnrollmentStatus,
    EventKind,
    ScreenResult,
)
from homeward.homework.models import Homework
from homeward.programs.models import Phase, Program
from homeward.reports.exceptions import InvalidReportRange
from homeward.reports.schemas import (
    CensusFigures,
    CensusReport,
    DischargesByReason,
    OutcomeFigures,
    OutcomesReport,
    PhaseCensus,
    ProgramCensus,
    ProgramOutcomes,
)

Format = Literal["json", "csv"]
DEFAULT_RANGE_DAYS = 90
MAX_RANGE_DAYS = 3660
IN_CARE = (EnrollmentStatus.active, EnrollmentStatus.on_hold)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- census -----------------------------------------------------------------------------


_InCare = dict[tuple[uuid.UUID, uuid.UUID | None, EnrollmentStatus], int]
_Layout = Sequence[Row[*tuple[Any, ...]]]


def census(db: Session, actor: Actor, output: Format = "json") -> CensusReport:
    """Active and on-hold enrollments by program and phase, and the capacity they use."""
    layout = _program_layout(db)
    listed = _program_census(layout, _in_care(db))
    used = sum(p.capacity_used for p in listed)
    capacity = sum(p.capacity for p in listed)
    report = CensusReport(
        as_of=clock.now(),
        programs=listed,
        overall=CensusFigures(
            active=sum(p.active for p in listed),
            on_hold=sum(p.on_hold for p in listed),
            capacity=capacity,
            capacity_used=used,
            capacity_used_percent=_percent(used, capacity),
        ),
    )
    record(db, actor, "report.read", "report", "census", detail={"format": output})
    return report


def _program_layout(db: Session) -> _Layout:
    """Each program with its phases in order: a row per phase, or one without a phase."""
    return db.execute(
        select(
            Program.id,
            Program.name,
            Program.capacity,
            Program.archived,
            Phase.id.label("phase_id"),
            Phase.name.label("phase_name"),
            Phase.order,
        )
        .outerjoin(Phase, Phase.program_id == Program.id)
        .order_by(Program.name, Program.id, Phase.order)
    ).all()


def _in_care(db: Session) -> _InCare:
    """Enrollments in care per program, current phase (None without one) and status."""
    return {
        (program_id, phase_id, status): count
        for program_id, phase_id, status, count in db.execute(
            select(
                Enrollment.program_id,
                Enrollment.current_phase_id,
                Enrollment.status,
                func.count(),
            )
            .where(Enrollment.status.in_(IN_CARE))
            .group_by(Enrollment.program_id, Enrollment.current_phase_id, Enrollment.status)
        )
    }


def _program_census(layout: _Layout, counts: _InCare) -> list[ProgramCensus]:
    """Each program's census with its phases', in the layout's order; an archived
    program only while it has enrollments in care."""
    by_program: dict[uuid.UUID, dict[EnrollmentStatus, int]] = defaultdict(lambda: defaultdict(int))
    for (program_id, _phase, status), count in counts.items():
        by_program[program_id][status] += count
    programs: dict[uuid.UUID, ProgramCensus] = {}
    for row in layout:
        totals = by_program.get(row.id, {})
        if row.archived and not totals:
            continue
        if row.id not in programs:
            programs[row.id] = _program_totals(row, totals)
        if row.phase_id is not None:
            programs[row.id].phases.append(
                PhaseCensus(
                    phase_id=row.phase_id,
                    phase_name=row.phase_name,
                    order=row.order,
                    active=counts.get((row.id, row.phase_id, EnrollmentStatus.active), 0),
                    on_hold=counts.get((row.id, row.phase_id, EnrollmentStatus.on_hold), 0),
                )
            )
    return list(programs.values())


def _program_totals(
    program: Row[*tuple[Any, ...]], totals: dict[EnrollmentStatus, int]
) -> ProgramCensus:
    """A program's census before its phases are added: the capacity its clients use."""
    active = totals.get(EnrollmentStatus.active, 0)
    on_hold = totals.get(EnrollmentStatus.on_hold, 0)
    return ProgramCensus(
        program_id=program.id,
        program_name=program.name,
        active=active,
        on_hold=on_hold,
        capacity=program.capacity,
        capacity_used=active + on_hold,
        capacity_used_percent=_percent(active + on_hold, program.capacity),
        phases=[],
    )


# --- outcomes ---------------------------------------------------------------------------


@dataclass
class _Tally:
    completions: int = 0
    discharges: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    stays: int = 0
    stay_days: int = 0
    in_care: int = 0
    relapsed: int = 0
    homework_due: int = 0
    homework_submitted: int = 0

    def add(self, other: "_Tally") -> None:
        self.completions += other.completions
        for reason, count in other.discharges.items():
            self.discharges[reason] += count
        self.stays += other.stays
        self.stay_days += other.stay_days
        self.in_care += other.in_care
        self.relapsed += other.relapsed
        self.homework_due += other.homework_due
        self.homework_submitted += other.homework_submitted

    def figures(self) -> dict[str, Any]:
        return {
            "completions": self.completions,
            "discharges": sum(self.discharges.values()),
            "discharges_by_reason": DischargesByReason(**self.discharges),
            "average_length_of_stay_days": (
                round(self.stay_days / self.stays, 1) if self.stays else None
            ),
            "enrollments_in_care": self.in_care,
            "enrollments_with_relapse": self.relapsed,
            "relapse_share": _share(self.relapsed, self.in_care),
            "homework_due": self.homework_due,
            "homework_submitted": self.homework_submitted,
            "homework_completion_rate": _share(self.homework_submitted, self.homework_due),
        }


def _days_between(db: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    if db.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return later - earlier  # type: ignore[no-any-return]


def _check_range(first: date | None, last: date | None) -> tuple[date, date]:
    last = last or clock.now().date()
    first = first or last - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if first > last:
        raise InvalidReportRange.at(["query", "from"], "from must be on or before to")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise InvalidReportRange.at(["query", "from"], f"ask for at most {MAX_RANGE_DAYS} days")
    return first, last


def check_range(first: date | None, last: date | None) -> tuple[date, date]:
    """The report range from `first` to `last`, with their defaults, or 422."""
    return _check_range(first, last)


def outcomes(
    db: Session,
    actor: Actor,
    first: date | None = None,
    last: date | None = None,
    output: Format = "json",
) -> OutcomesReport:
    """Completions, discharges, length of stay, relapses and homework for [first, last]."""
    first, last = _check_range(first, last)
    programs = db.execute(
        select(Program.id, Program.name, Program.timezone, Program.archived).order_by(
            Program.name, Program.id
        )
    ).all()
    tallies: dict[uuid.UUID, _Tally] = defaultdict(_Tally)
    _tally_finished(db, tallies, first, last)
    _tally_relapses(db, tallies, first, last)
    _tally_homework(db, tallies, first, last, {p.timezone for p in programs})

    overall = _Tally()
    listed = []
    for program in programs:
        tally = tallies.get(program.id)
        if program.archived and tally is None:
            continue
        tally = tally or _Tally()
        overall.add(tally)
        listed.append(
            ProgramOutcomes(program_id=program.id, program_name=program.name, **tally.figures())
        )
    report = OutcomesReport(
        from_=first, to=last, programs=listed, overall=OutcomeFigures(**overall.figures())
    )
    detail: dict[str, object] = {"format": output, "from": str(first), "to": str(last)}
    record(db, actor, "report.read", "report", "outcomes", detail=detail)
    return report


def _tally_finished(db: Session, tallies: dict[uuid.UUID, _Tally], first: date, last: date) -> None:
    ended_on = case(
        (Enrollment.status == EnrollmentStatus.completed, Enrollment.completed_on),
        else_=Enrollment.discharged_on,
    )
    stay_days = _days_between(db, ended_on, Enrollment.admitted_on)
    rows = db.execute(
        select(
            Enrollment.program_id,
            Enrollment.status,
            Enrollment.discharge_reason,
            func.count(),
            func.count(Enrollment.admitted_on),
            func.coalesce(func.sum(stay_days), 0),
        )
        .where(
            or_(
                and_(
                    Enrollment.status == EnrollmentStatus.completed,
                    Enrollment.completed_on.between(first, last),
                ),
                and_(
                    Enrollment.status == EnrollmentStatus.discharged,
                    Enrollment.discharged_on.between(first, last),
                ),
            )
        )
        .group_by(Enrollment.program_id, Enrollment.status, Enrollment.discharge_reason)
    )
    for program_id, status, reason, count, stays, days in rows:
        tally = tallies[program_id]
        if status == EnrollmentStatus.completed:
            tally.completions += count
        else:
            tally.discharges[reason.value if reason else "other"] += count
        tally.stays += stays
        tally.stay_days += round(days)


def _tally_relapses(db: Session, tallies: dict[uuid.UUID, _Tally], first: date, last: date) -> None:
    relapsed = exists().where(
        ClinicalEvent.enrollment_id == Enrollment.id,
        ClinicalEvent.occurred_on.between(first, last),
        or_(
            ClinicalEvent.kind == EventKind.relapse,
            and_(
                ClinicalEvent.kind == EventKind.drug_screen,
                ClinicalEvent.result == ScreenResult.positive,
            ),
        ),
    )
    ended_on = func.coalesce(Enrollment.completed_on, Enrollment.discharged_on)
    rows = db.execute(
        select(
            Enrollment.program_id,
            func.count(),
            func.coalesce(func.sum(case((relapsed, 1), else_=0)), 0),
        )
        .where(
            Enrollment.admitted_on.is_not(None),
            Enrollment.admitted_on <= last,
            or_(ended_on.is_(None), ended_on >= first),
            Enrollment.status != EnrollmentStatus.pending,
        )
        .group_by(Enrollment.program_id)
    )
    for program_id, in_care, with_relapse in rows:
        tallies[program_id].in_care += in_care
        tallies[program_id].relapsed += with_relapse


def _tally_homework(
    db: Session,
    tallies: dict[uuid.UUID, _Tally],
    first: date,
    last: date,
    timezones: set[str],
) -> None:
    """Homework due on the range's days in each program's own timezone, and already due."""
    if not timezones:
        return
    now = clock.now()
    windows = []
    for timezone in sorted(timezones):
        zone = ZoneInfo(timezone)
        start = datetime.combine(first, time(), tzinfo=zone)
        end = min(datetime.combine(last + timedelta(days=1), time(), tzinfo=zone), now)
        windows.append(
            and_(Program.timezone == timezone, Homework.due_at >= start, Homework.due_at < end)
        )
    rows = db.execute(
        select(Enrollment.program_id, func.count(), func.count(Homework.submitted_at))
        .select_from(Homework)
        .join(Enrollment, Enrollment.id == Homework.enrollment_id)
        .join(Program, Program.id == Enrollment.program_id)
        .where(or_(*windows))
        .group_by(Enrollment.program_id)
    )
    for program_id, due, submitted in rows:
        tallies[program_id].homework_due += due
        tallies[program_id].homework_submitted += submitted
