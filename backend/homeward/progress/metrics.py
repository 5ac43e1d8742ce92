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

from sqlalchemy.orm import Session

from homeward.enrollments.models import EnrollmentStatus
from homeward.progress import cohort_queries as queries
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


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which
# for a cohort's thousands of rows costs more than reading them. Nothing mutates it.
@dataclass(slots=True)
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


class Cohort(NamedTuple):
    """Whom to measure: the active enrollments of `programs`, or exactly `enrollments`."""

    programs: tuple[uuid.UUID, ...] = ()
    enrollments: tuple[uuid.UUID, ...] | None = None

    @property
    def given(self) -> bool:
        return self.enrollments is not None

    def params(self) -> dict[str, list[uuid.UUID]]:
        if self.enrollments is not None:
            return {"cohort": list(self.enrollments)}
        return {"cohort_programs": list(self.programs)}


def active_cohort(program_ids: Iterable[uuid.UUID]) -> Cohort:
    return Cohort(programs=tuple(program_ids))


def given_cohort(enrollment_ids: Iterable[uuid.UUID]) -> Cohort:
    return Cohort(enrollments=tuple(enrollment_ids))


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


def enrollment_states(db: Session, cohort: Cohort) -> dict[uuid.UUID, EnrollmentState]:
    rows = db.connection().execute(queries.states(cohort.given), cohort.params()).all()
    # Positional: the columns are selected in the dataclass's field order.
    return {row[0]: EnrollmentState(*cast(tuple[Any, ...], row)) for row in rows}


def _as_date(value: date | str) -> date:
    # SQLite hands back MAX() over a DATE column as text.
    return date.fromisoformat(value) if isinstance(value, str) else value


def compute(
    db: Session,
    cohort: Cohort,
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
    connection = db.connection()
    result = CohortMetrics(as_of=as_of, enrollments=enrollment_states(db, cohort))
    if not result.enrollments:
        return result

    def windows_for(metrics: Iterable[Metric]) -> tuple[int, ...]:
        chosen = set(metrics)
        return tuple(
            sorted(
                {k.window_days for k in wanted if k.metric in chosen and k.window_days is not None}
            )
        )

    all_windows = sorted({k.window_days for k in wanted if k.window_days is not None})
    bounds = {w: window_bounds(as_of, w, timezone) for w in all_windows}
    attendance_windows = windows_for(ATTENDANCE_METRICS)
    homework_windows = windows_for([Metric.homework_completion_rate])
    event_windows = windows_for([Metric.relapse_events]) or (1,)
    params: dict[str, Any] = {
        **cohort.params(),
        **{f"start_{w}": start for w, (start, _) in bounds.items()},
        "window_end": bounds[all_windows[0]][1] if all_windows else None,
        "now": now,
        "as_of": as_of,
        **{f"since_{w}": as_of - timedelta(days=w - 1) for w in event_windows},
    }

    attendance: dict[uuid.UUID, Sequence[int]] = {}
    if attendance_windows:
        earliest = bounds[attendance_windows[-1]][0]
        params["starts_from"] = earliest - LONGEST_SESSION
        params["starts_before"] = min(params["window_end"], now)
        narrowed = program_ids is not None
        if narrowed:
            params["programs"] = program_ids
        statement = queries.attendance(
            attendance_windows, cohort.given, narrowed, connection.dialect.name
        )
        attendance = {row[0]: row[1:] for row in connection.execute(statement, params).all()}
    homework: dict[uuid.UUID, Sequence[int]] = {}
    if homework_windows:
        statement = queries.homework(homework_windows, cohort.given)
        homework = {row[0]: row[1:] for row in connection.execute(statement, params).all()}
    events: dict[uuid.UUID, Sequence[int]] = {}
    last_use: dict[uuid.UUID, date] = {}
    for row in connection.execute(queries.use_events(event_windows, cohort.given), params).all():
        events[row[0]] = row[2:]
        last_use[row[0]] = _as_date(row[1])
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
    no_events = (0,) * len(event_windows)
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
