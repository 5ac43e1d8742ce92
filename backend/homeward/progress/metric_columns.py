"""Every metric of a cohort as a column of one statement: the one place each value is computed.

The statement reads each enrollment's state beside the counts of
`cohort_queries` and turns them into values in SQL: no data is NULL, as in
`metrics`. The evaluator can add a column of its own over these (whether any
rule's condition holds, see `selecting`), so that only the enrollments a rule
matches come back to be decided on, with the very numbers the rule compared.

Each value is the IEEE operations Python would do on the same counts (an integer
widened to a double, then divided), so it reads the same to the last bit on
PostgreSQL and SQLite alike.
"""

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    Select,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from homeward.enrollments.models import Enrollment, EnrollmentStatus
from homeward.progress import cohort_queries as queries
from homeward.tapering.rules import Metric

Statement = Select[*tuple[Any, ...]]


class MetricKey(NamedTuple):
    """A metric over a window (None for the metrics that have none). A tuple: cheap to hash."""

    metric: Metric
    window_days: int | None = None

    @property
    def column(self) -> str:
        return (
            self.metric.value if self.window_days is None else f"{self.metric}_{self.window_days}"
        )


ATTENDANCE_METRICS = frozenset(
    {Metric.attendance_rate, Metric.hours_attended_per_week, Metric.unexcused_absences}
)


class Windows(NamedTuple):
    """The windows each counting query covers for a set of metric keys (shortest first)."""

    attendance: tuple[int, ...]
    homework: tuple[int, ...]
    events: tuple[int, ...]

    @classmethod
    def of(cls, keys: Sequence[MetricKey]) -> "Windows":
        def over(metrics: frozenset[Metric]) -> tuple[int, ...]:
            return tuple(
                sorted({k.window_days for k in keys if k.metric in metrics and k.window_days})
            )

        events = over(frozenset({Metric.relapse_events})) or (1,)  # the last use needs the query
        return cls(
            over(ATTENDANCE_METRICS), over(frozenset({Metric.homework_completion_rate})), events
        )


class _DaysBetween(ColumnElement[Any]):
    """Whole days from `earlier` (a date column) to `later` (a date)."""

    inherit_cache = True
    _traverse_internals = [
        ("later", InternalTraversal.dp_clauseelement),
        ("earlier", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, later: ColumnElement[Any], earlier: Any) -> None:
        self.later = later
        self.earlier = earlier
        self.type = Float()


@compiles(_DaysBetween)
def _compile_days_between(element: _DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = compiler.process(element.later, **kw), compiler.process(element.earlier, **kw)
    return f"CAST(({later} - {earlier}) AS FLOAT)"


@compiles(_DaysBetween, "sqlite")
def _compile_days_between_sqlite(element: _DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = compiler.process(element.later, **kw), compiler.process(element.earlier, **kw)
    return f"(julianday({later}) - julianday({earlier}))"


def _widened(column: ColumnElement[Any]) -> ColumnElement[float]:
    return cast(column, Float)


@lru_cache
def measured(
    keys: tuple[MetricKey, ...], given: bool, narrowed: bool, dialect: str, unrecorded: bool
) -> Statement:
    """Per enrollment of the cohort: its state columns, one value per key (in order),
    the last use (a date or NULL), then (if `unrecorded`) the unrecorded sessions per
    attendance window."""
    windows = Windows.of(keys)
    statement, counted = _with_counts(windows, given, narrowed, dialect, unrecorded)
    as_of = bindparam("as_of", type_=Date)
    values = [_value(key, counted, as_of).label(key.column) for key in keys]
    unrecorded_counts = [
        _zero(counted, f"unrecorded_{w}").label(f"unrecorded_{w}")
        for w in (windows.attendance if unrecorded else ())
    ]
    return statement.add_columns(
        *values, counted["last_use_on"].label("last_use_on"), *unrecorded_counts
    ).where(*_members(given))


def _with_counts(
    windows: Windows, given: bool, narrowed: bool, dialect: str, unrecorded: bool
) -> tuple[Statement, dict[str, Any]]:
    """The state columns with each counting query the windows need joined on, and the
    counts those queries give, by name."""
    statement = select(*queries.STATE_COLUMNS)
    counted: dict[str, Any] = {}
    parts: list[tuple[str, Statement]] = []
    if windows.attendance:
        attended = queries.attendance(windows.attendance, given, narrowed, dialect, unrecorded)
        parts.append(("attendance", attended))
    if windows.homework:
        parts.append(("homework", queries.homework(windows.homework, given)))
    parts.append(("events", queries.use_events(windows.events, given)))
    for name, query in parts:
        table = query.subquery(name)
        statement = statement.outerjoin(table, table.c.enrollment_id == Enrollment.id)
        counted.update(
            {column.name: column for column in table.c if column.name != "enrollment_id"}
        )
    return statement, counted


def _zero(counted: dict[str, Any], name: str) -> ColumnElement[Any]:
    """A count, 0 for an enrollment its query has no row for."""
    return func.coalesce(counted[name], 0)


def _value(
    key: MetricKey, counted: dict[str, Any], as_of: ColumnElement[Any]
) -> ColumnElement[Any]:
    """One metric's value from the counts, NULL where it has no data (see `metrics`)."""
    metric, w = key
    if metric == Metric.attendance_rate:
        denominator = _zero(counted, f"recorded_{w}") - _zero(counted, f"excused_{w}")
        return case((denominator > 0, _widened(_zero(counted, f"attended_{w}")) / denominator))
    if metric == Metric.hours_attended_per_week:
        assert w is not None
        weeks = literal(w / 7, Float)
        minutes = _widened(_zero(counted, f"minutes_{w}"))
        return case((_zero(counted, f"recorded_{w}") > 0, minutes / 60 / weeks))
    if metric == Metric.unexcused_absences:
        unexcused = _widened(_zero(counted, f"unexcused_{w}"))
        return case((_zero(counted, f"recorded_{w}") > 0, unexcused))
    if metric == Metric.homework_completion_rate:
        done = _widened(_zero(counted, f"done_{w}"))
        return case((_zero(counted, f"due_{w}") > 0, done / _zero(counted, f"due_{w}")))
    if metric == Metric.relapse_events:
        return _widened(_zero(counted, f"events_{w}"))
    if metric == Metric.days_since_last_use:
        return _DaysBetween(as_of, func.coalesce(counted["last_use_on"], Enrollment.admitted_on))
    if metric == Metric.days_in_phase:
        return _DaysBetween(as_of, Enrollment.phase_started_on)
    return _DaysBetween(as_of, Enrollment.admitted_on)


def _members(given: bool) -> list[ColumnElement[bool]]:
    """Exactly the given enrollments, or the active ones of the cohort's programs."""
    if given:
        return [Enrollment.id.in_(bindparam("cohort", expanding=True))]
    return [
        Enrollment.program_id.in_(bindparam("cohort_programs", expanding=True)),
        Enrollment.status == EnrollmentStatus.active,
    ]


# Given each metric's column and the program's, whether an enrollment is worth deciding on.
Selector = Callable[
    [Mapping[MetricKey, ColumnElement[Any]], ColumnElement[Any]], ColumnElement[Any]
]


def selecting(statement: Statement, keys: Sequence[MetricKey], selector: Selector) -> Statement:
    """`statement` (from `measured`) narrowed to the rows `selector` holds for, with
    its value (`selected`) and the size of the whole cohort added.

    The rows left out cost the database formatting them and the driver reading
    them, a dozen values each, for nothing: most of a cohort matches no rule. The
    first row stays whatever it holds, so that the size comes back even when no
    row is selected.
    """
    inner = statement.subquery("measured")
    columns = {key: inner.c[key.column] for key in keys}
    judged = select(
        *inner.c,
        selector(columns, inner.c.program_id).label("selected"),
        func.count().over().label("cohort_size"),
        func.row_number().over().label("position"),
    ).subquery("judged")
    return select(*judged.c).where(or_(judged.c.selected.is_not(None), judged.c.position == 1))
