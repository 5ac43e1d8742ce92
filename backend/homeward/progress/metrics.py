"""Tapering metrics for a whole cohort, in a fixed number of set-based queries.

One module serves the progress view and the tapering evaluator, so a number a
clinician reads is the number a rule compared. The definitions are DESIGN.md's
("Tapering rules"); where it leaves a choice open, the choice is stated here:

* A window of `w` days ends on `as_of` inclusive: local dates `as_of - w + 1`
  … `as_of` in the program's timezone, i.e. the UTC instants from local midnight
  of the first day up to local midnight after `as_of`.
* Attendance counts rostered, non-cancelled sessions whose `ends_at` falls in the
  window and is not in the future. A rostered session with no attendance yet is
  "unrecorded" and left out of every attendance metric.
* `attendance_rate` is attended ÷ (recorded - absent_excused); no data when that
  is zero. `hours_attended_per_week` and `unexcused_absences` have no data when
  nothing was recorded in the window.
* `homework_completion_rate`: homework due in the window and already due;
  completed when submitted or reviewed (or `submitted_at` is set); no data when
  nothing was due.
* `relapse_events` is always a number (0 without events). `days_since_last_use`,
  `days_in_phase` and `days_enrolled` have no data without the date they count from.
"""

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from homeward.enrollments.models import (
    ClinicalEvent,
    Enrollment,
    EnrollmentStatus,
    EventKind,
    ScreenResult,
)
from homeward.homework.models import Homework, HomeworkStatus
from homeward.sessions.models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    RosterEntry,
    SessionStatus,
    TreatmentSession,
)
from homeward.tapering.rules import WINDOWED_METRICS, Metric

ATTENDANCE_METRICS = frozenset(
    {Metric.attendance_rate, Metric.hours_attended_per_week, Metric.unexcused_absences}
)
# What the progress view shows as "current": every metric, over these windows.
DEFAULT_WINDOWS = (7, 14, 28)
# A session never runs longer than this; it lets the attendance query use the
# index on `starts_at` while the definition itself is about `ends_at`.
LONGEST_SESSION = timedelta(days=1)


class MetricKey(NamedTuple):
    """A metric over a window (None for the metrics that have none). A tuple: cheap to hash."""

    metric: Metric
    window_days: int | None = None


def default_keys() -> list[MetricKey]:
    keys: list[MetricKey] = []
    for metric in Metric:
        if metric in WINDOWED_METRICS:
            keys.extend(MetricKey(metric, window) for window in DEFAULT_WINDOWS)
        else:
            keys.append(MetricKey(metric))
    return keys


@dataclass(frozen=True)
class EnrollmentState:
    """The enrollment columns rules and recommendations need, read with the metrics."""

    id: uuid.UUID
    patient_id: uuid.UUID
    program_id: uuid.UUID
    status: EnrollmentStatus
    current_phase_id: uuid.UUID | None
    phase_started_on: date | None
    admitted_on: date | None
    expected_end_on: date | None
    primary_clinician_id: uuid.UUID | None
    version: int


@dataclass
class CohortMetrics:
    as_of: date
    enrollments: dict[uuid.UUID, EnrollmentState]
    values: dict[uuid.UUID, dict[MetricKey, float | None]] = field(default_factory=dict)
    # Per enrollment and window: rostered sessions that ended with nothing recorded.
    unrecorded: dict[uuid.UUID, dict[int, int]] = field(default_factory=dict)
    # Per enrollment: the last relapse or positive screen on or before as_of.
    last_use_on: dict[uuid.UUID, date] = field(default_factory=dict)


def local_midnight(day: date, timezone: str) -> datetime:
    """The UTC instant a local calendar day begins (DST-safe)."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def window_bounds(as_of: date, window_days: int, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC for `window_days` local days ending on `as_of` inclusive."""
    first_day = as_of - timedelta(days=window_days - 1)
    return local_midnight(first_day, timezone), local_midnight(as_of + timedelta(days=1), timezone)


def today_in(timezone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def active_cohort(program_ids: Iterable[uuid.UUID]) -> Select[uuid.UUID]:
    return select(Enrollment.id).where(
        Enrollment.program_id.in_(list(program_ids)),
        Enrollment.status == EnrollmentStatus.active,
    )


def given_cohort(enrollment_ids: Iterable[uuid.UUID]) -> Select[uuid.UUID]:
    return select(Enrollment.id).where(Enrollment.id.in_(list(enrollment_ids)))


def _days(as_of: date, since: date | None) -> float | None:
    return float((as_of - since).days) if since else None


def point_metrics(
    as_of: date,
    admitted_on: date | None,
    phase_started_on: date | None,
    last_use_on: date | None,
) -> dict[Metric, float | None]:
    """The metrics that count days from a date rather than events in a window."""
    return {
        Metric.days_since_last_use: _days(as_of, last_use_on or admitted_on),
        Metric.days_in_phase: _days(as_of, phase_started_on),
        Metric.days_enrolled: _days(as_of, admitted_on),
    }


# What `_attendance` counts per window, in its column order.
ATTENDANCE_COLUMNS = ("attended", "recorded", "excused", "unexcused", "unrecorded", "minutes")
_ATTENDED, _RECORDED, _EXCUSED, _UNEXCUSED, _UNRECORDED, _MINUTES = range(len(ATTENDANCE_COLUMNS))


class _Counts(NamedTuple):
    """One enrollment's rows from the windowed queries (zeros where it had none)."""

    attendance: Sequence[int]
    homework: Sequence[int]
    events: Sequence[int]
    state: EnrollmentState
    last_use_on: date | None


Reader = Callable[[_Counts], float | None]


def _reader(key: MetricKey, as_of: date, offsets: Mapping[Metric, Mapping[int, int]]) -> Reader:
    """How to read one metric from an enrollment's counts: decided once per cohort."""
    metric = key.metric
    if key.window_days is None:
        if metric == Metric.days_since_last_use:
            return lambda c: _days(as_of, c.last_use_on or c.state.admitted_on)
        if metric == Metric.days_in_phase:
            return lambda c: _days(as_of, c.state.phase_started_on)
        return lambda c: _days(as_of, c.state.admitted_on)
    at = offsets[metric][key.window_days]
    if metric == Metric.attendance_rate:

        def rate(c: _Counts) -> float | None:
            counted = c.attendance[at + _RECORDED] - c.attendance[at + _EXCUSED]
            return c.attendance[at + _ATTENDED] / counted if counted > 0 else None

        return rate
    if metric == Metric.hours_attended_per_week:
        weeks = key.window_days / 7
        return lambda c: (
            c.attendance[at + _MINUTES] / 60 / weeks if c.attendance[at + _RECORDED] else None
        )
    if metric == Metric.unexcused_absences:
        return lambda c: (
            float(c.attendance[at + _UNEXCUSED]) if c.attendance[at + _RECORDED] else None
        )
    if metric == Metric.homework_completion_rate:
        return lambda c: c.homework[at + 1] / c.homework[at] if c.homework[at] else None
    return lambda c: float(c.events[at])


class _Unindexed(ColumnElement[Any]):
    """A column as SQLite's planner cannot use an index for: `+column`."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.type = column.type


@compiles(_Unindexed)
def _compile_unindexed(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(_Unindexed, "sqlite")
def _compile_unindexed_sqlite(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(element.column, **kw)


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def enrollment_states(db: Session, cohort: Select[uuid.UUID]) -> dict[uuid.UUID, EnrollmentState]:
    rows = (
        db.connection()
        .execute(
            select(
                Enrollment.id,
                Enrollment.patient_id,
                Enrollment.program_id,
                Enrollment.status,
                Enrollment.current_phase_id,
                Enrollment.phase_started_on,
                Enrollment.admitted_on,
                Enrollment.expected_end_on,
                Enrollment.primary_clinician_id,
                Enrollment.version,
            ).where(Enrollment.id.in_(cohort))
        )
        .all()
    )
    # Positional: the columns are selected in the dataclass's field order.
    return {row[0]: EnrollmentState(*cast(tuple[Any, ...], row)) for row in rows}


def _attendance(
    db: Session,
    cohort: Select[uuid.UUID],
    windows: list[int],
    bounds: Mapping[int, tuple[datetime, datetime]],
    now: datetime,
    program_ids: list[uuid.UUID] | None,
) -> dict[uuid.UUID, Sequence[int]]:
    """Per enrollment, `ATTENDANCE_COLUMNS` for each window in turn."""
    earliest = min(bounds[w][0] for w in windows)
    end = min(bounds[windows[0]][1], now)
    ends_at, status = TreatmentSession.ends_at, Attendance.status
    columns: list[Any] = []
    for w in windows:
        inside = ends_at >= bounds[w][0]
        columns += [
            _count_if(and_(inside, status.in_(ATTENDED))).label(f"attended_{w}"),
            _count_if(and_(inside, status.is_not(None))).label(f"recorded_{w}"),
            _count_if(and_(inside, status == AttendanceStatus.absent_excused)).label(
                f"excused_{w}"
            ),
            _count_if(and_(inside, status == AttendanceStatus.absent_unexcused)).label(
                f"unexcused_{w}"
            ),
            _count_if(and_(inside, status.is_(None))).label(f"unrecorded_{w}"),
            func.coalesce(
                func.sum(case((inside, func.coalesce(Attendance.minutes_attended, 0)), else_=0)),
                0,
            ).label(f"minutes_{w}"),
        ]
    statement = (
        select(RosterEntry.enrollment_id, *columns)
        .join(TreatmentSession, TreatmentSession.id == RosterEntry.session_id)
        .outerjoin(
            Attendance,
            and_(
                Attendance.session_id == RosterEntry.session_id,
                Attendance.enrollment_id == RosterEntry.enrollment_id,
            ),
        )
        .where(
            TreatmentSession.status != SessionStatus.cancelled,
            TreatmentSession.starts_at >= earliest - LONGEST_SESSION,
            TreatmentSession.starts_at < end,
            ends_at >= earliest,
            ends_at < bounds[windows[0]][1],
            ends_at <= now,
        )
        .group_by(RosterEntry.enrollment_id)
    )
    if program_ids is None:
        statement = statement.where(RosterEntry.enrollment_id.in_(cohort))
    else:
        # Redundant with the cohort, but it lets the database start from the programs'
        # sessions (an index) rather than every session of the period; SQLite does so
        # only when the roster's index on enrollments is out of its reach.
        statement = statement.where(
            _Unindexed(RosterEntry.enrollment_id.expression).in_(cohort),
            TreatmentSession.program_id.in_(program_ids),
        )
    return {row[0]: row[1:] for row in db.connection().execute(statement).all()}


def _homework(
    db: Session,
    cohort: Select[uuid.UUID],
    windows: list[int],
    bounds: Mapping[int, tuple[datetime, datetime]],
    now: datetime,
) -> dict[uuid.UUID, Sequence[int]]:
    """Per enrollment, (due, done) for each window in turn."""
    done = or_(
        Homework.status.in_((HomeworkStatus.submitted, HomeworkStatus.reviewed)),
        Homework.submitted_at.is_not(None),
    )
    columns: list[Any] = []
    for w in windows:
        inside = Homework.due_at >= bounds[w][0]
        columns += [
            _count_if(inside).label(f"due_{w}"),
            _count_if(and_(inside, done)).label(f"done_{w}"),
        ]
    statement = (
        select(Homework.enrollment_id, *columns)
        .where(
            Homework.enrollment_id.in_(cohort),
            Homework.due_at >= min(bounds[w][0] for w in windows),
            Homework.due_at < bounds[windows[0]][1],
            Homework.due_at <= now,
        )
        .group_by(Homework.enrollment_id)
    )
    return {row[0]: row[1:] for row in db.connection().execute(statement).all()}


def _use_events(
    db: Session, cohort: Select[uuid.UUID], windows: list[int], as_of: date
) -> tuple[dict[uuid.UUID, Sequence[int]], dict[uuid.UUID, date]]:
    """Per enrollment, the events of each window in turn; and the last use."""
    occurred = ClinicalEvent.occurred_on
    columns = [
        _count_if(occurred >= as_of - timedelta(days=w - 1)).label(f"events_{w}") for w in windows
    ]
    statement = (
        select(ClinicalEvent.enrollment_id, func.max(occurred).label("last_use_on"), *columns)
        .where(
            ClinicalEvent.enrollment_id.in_(cohort),
            occurred <= as_of,
            or_(
                ClinicalEvent.kind == EventKind.relapse,
                and_(
                    ClinicalEvent.kind == EventKind.drug_screen,
                    ClinicalEvent.result == ScreenResult.positive,
                ),
            ),
        )
        .group_by(ClinicalEvent.enrollment_id)
    )
    counts: dict[uuid.UUID, Sequence[int]] = {}
    last_use: dict[uuid.UUID, date] = {}
    for row in db.connection().execute(statement).all():
        counts[row[0]] = row[2:]
        last_use[row[0]] = _as_date(row[1])
    return counts, last_use


def _as_date(value: date | str) -> date:
    # SQLite hands back MAX() over a DATE column as text.
    return date.fromisoformat(value) if isinstance(value, str) else value


def compute(
    db: Session,
    cohort: Select[uuid.UUID],
    *,
    timezone: str,
    as_of: date,
    keys: Iterable[MetricKey],
    now: datetime,
    program_ids: list[uuid.UUID] | None = None,
) -> CohortMetrics:
    """Every requested metric for every enrollment in `cohort`: at most four queries.

    `program_ids`, when the cohort is drawn from those programs, narrows the scan.
    """
    wanted = sorted(set(keys), key=lambda key: (key.metric, key.window_days or 0))
    # The queries below go straight to the connection (no ORM row handling, which
    # costs more than the query itself for a large cohort), so flush first.
    db.flush()
    result = CohortMetrics(as_of=as_of, enrollments=enrollment_states(db, cohort))
    if not result.enrollments:
        return result

    def windows_for(metrics: Iterable[Metric]) -> list[int]:
        chosen = set(metrics)
        return sorted(
            {k.window_days for k in wanted if k.metric in chosen and k.window_days is not None}
        )

    all_windows = sorted({k.window_days for k in wanted if k.window_days is not None})
    bounds = {w: window_bounds(as_of, w, timezone) for w in all_windows}
    attendance_windows = windows_for(ATTENDANCE_METRICS)
    homework_windows = windows_for([Metric.homework_completion_rate])
    event_windows = windows_for([Metric.relapse_events])

    attendance = (
        _attendance(db, cohort, attendance_windows, bounds, now, program_ids)
        if attendance_windows
        else {}
    )
    homework = _homework(db, cohort, homework_windows, bounds, now) if homework_windows else {}
    events, last_use = _use_events(db, cohort, event_windows or [1], as_of)
    result.last_use_on = last_use

    by_window = {w: i * len(ATTENDANCE_COLUMNS) for i, w in enumerate(attendance_windows)}
    offsets = {
        **{metric: by_window for metric in ATTENDANCE_METRICS},
        Metric.homework_completion_rate: {w: 2 * i for i, w in enumerate(homework_windows)},
        Metric.relapse_events: {w: i for i, w in enumerate(event_windows)},
    }
    readers = [(key, _reader(key, as_of, offsets)) for key in wanted]
    unrecorded_at = [(w, at + _UNRECORDED) for w, at in offsets[Metric.attendance_rate].items()]
    no_attendance = (0,) * (len(ATTENDANCE_COLUMNS) * len(attendance_windows))
    no_homework = (0,) * (2 * len(homework_windows))
    no_events = (0,) * len(event_windows or [1])
    for enrollment_id, state in result.enrollments.items():
        counts = _Counts(
            attendance.get(enrollment_id, no_attendance),
            homework.get(enrollment_id, no_homework),
            events.get(enrollment_id, no_events),
            state,
            last_use.get(enrollment_id),
        )
        result.values[enrollment_id] = {key: read(counts) for key, read in readers}
        result.unrecorded[enrollment_id] = {w: counts.attendance[at] for w, at in unrecorded_at}
    return result
