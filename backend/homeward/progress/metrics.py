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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from homeward.enrollments.models import Enrollment
from homeward.progress import cohort_queries as queries
from homeward.progress import metric_columns as columns
from homeward.progress.cohort_queries import EnrollmentState as EnrollmentState
from homeward.progress.metric_columns import ATTENDANCE_METRICS as ATTENDANCE_METRICS
from homeward.progress.metric_columns import MetricKey as MetricKey
from homeward.progress.metric_columns import Selector
from homeward.tapering.rules import WINDOWED_METRICS, Metric

# What the progress view shows as "current": every metric, over these windows.
DEFAULT_WINDOWS = (7, 14, 28)
# A session never runs longer than this; it lets the attendance query use the
# index on `starts_at` while the definition itself is about `ends_at`.
LONGEST_SESSION = timedelta(days=1)


def default_keys() -> list[MetricKey]:
    keys: list[MetricKey] = []
    for metric in Metric:
        if metric in WINDOWED_METRICS:
            keys.extend(MetricKey(metric, window) for window in DEFAULT_WINDOWS)
        else:
            keys.append(MetricKey(metric))
    return keys


@dataclass
class CohortMetrics:
    as_of: date
    enrollments: dict[uuid.UUID, EnrollmentState]
    values: dict[uuid.UUID, dict[MetricKey, float | None]] = field(default_factory=dict)
    # Per enrollment and window: rostered sessions that ended with nothing recorded.
    unrecorded: dict[uuid.UUID, dict[int, int]] = field(default_factory=dict)
    # Per enrollment: the last relapse or positive screen on or before as_of.
    last_use_on: dict[uuid.UUID, date] = field(default_factory=dict)
    # Per selected enrollment, what `compute`'s selector made of it.
    selected: dict[uuid.UUID, Any] = field(default_factory=dict)
    # The whole cohort, selected or not.
    size: int = 0


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


def stored_states(
    db: Session, enrollment_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, EnrollmentState]:
    """The enrollments' states as the database holds them now (after a change, say)."""
    ids = list(enrollment_ids)
    if not ids:
        return {}
    found = db.execute(select(*queries.STATE_COLUMNS).where(Enrollment.id.in_(ids)))
    return {row[0]: EnrollmentState(*row) for row in found}


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
    selector: Selector | None = None,
    count_unrecorded: bool = True,
) -> CohortMetrics:
    """Every requested metric for every enrollment in `cohort`, in one query.

    `program_ids`, when the cohort is drawn from those programs, narrows the scan.
    With a `selector`, only the enrollments it holds for (a value that is not NULL,
    false or empty) come back: their state, `values`, and that value in `selected`.
    `size` counts the whole cohort either way. Without `count_unrecorded` the
    rosters are not read and `unrecorded` stays empty: no metric needs them.
    """
    wanted = tuple(sorted(set(keys), key=lambda key: (key.metric, key.window_days or 0)))
    # The query goes straight to the connection (no ORM row handling, which costs
    # more than the query itself for a large cohort), so flush first.
    db.flush()
    connection = db.connection()
    windows = columns.Windows.of(wanted)
    params = _window_parameters(cohort, wanted, windows, timezone, as_of, now, program_ids)
    statement = columns.measured(
        wanted, cohort.given, program_ids is not None, connection.dialect.name, count_unrecorded
    )
    if selector is not None:
        statement = columns.selecting(statement, wanted, selector)
    rows = connection.execute(statement, params).all()
    unrecorded_windows = windows.attendance if count_unrecorded else ()
    return _cohort_metrics(rows, as_of, wanted, unrecorded_windows, selector is not None)


def _window_parameters(
    cohort: Cohort,
    wanted: tuple[MetricKey, ...],
    windows: columns.Windows,
    timezone: str,
    as_of: date,
    now: datetime,
    program_ids: list[uuid.UUID] | None,
) -> dict[str, Any]:
    """The bound values of `columns.measured`'s statement: the cohort, and where each
    window starts and ends."""
    all_windows = sorted({k.window_days for k in wanted if k.window_days is not None})
    bounds = {w: window_bounds(as_of, w, timezone) for w in all_windows}
    params: dict[str, Any] = {
        **cohort.params(),
        **{f"start_{w}": start for w, (start, _) in bounds.items()},
        "window_end": bounds[all_windows[0]][1] if all_windows else None,
        "now": now,
        "as_of": as_of,
        **{f"since_{w}": as_of - timedelta(days=w - 1) for w in windows.events},
    }
    if windows.attendance:
        earliest = bounds[windows.attendance[-1]][0]
        params["starts_from"] = earliest - LONGEST_SESSION
        params["starts_before"] = min(params["window_end"], now)
        if program_ids is not None:
            params["programs"] = program_ids
    return params


def _cohort_metrics(
    rows: Sequence[Row[*tuple[Any, ...]]],
    as_of: date,
    wanted: tuple[MetricKey, ...],
    unrecorded_windows: tuple[int, ...],
    selecting: bool,
) -> CohortMetrics:
    """The statement's rows read by position: `columns.measured`'s columns, then (when
    `selecting`) those `columns.selecting` adds."""
    result = CohortMetrics(as_of=as_of, enrollments={})
    enrollments, values, last_use = result.enrollments, result.values, result.last_use_on
    unrecorded = result.unrecorded
    state_end = len(queries.STATE_COLUMNS)
    values_end = state_end + len(wanted)
    selected = values_end + 1 + len(unrecorded_windows)
    result.size = len(rows) if not selecting or not rows else rows[0][selected + 1]
    for row in rows:
        if selecting:
            if not row[selected]:
                continue  # the row that carries the size when none is selected
            result.selected[row[0]] = row[selected]
        enrollment_id = row[0]
        # Positional: the columns are selected in the dataclass's field order.
        enrollments[enrollment_id] = EnrollmentState(*row[:state_end])
        values[enrollment_id] = dict(zip(wanted, row[state_end:values_end], strict=True))
        if row[values_end] is not None:
            last_use[enrollment_id] = _as_date(row[values_end])
        if unrecorded_windows:
            unrecorded[enrollment_id] = dict(
                zip(unrecorded_windows, row[values_end + 1 : selected], strict=True)
            )
    return result
