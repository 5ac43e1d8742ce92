"""The per-enrollment counts behind `metrics.compute`, which `metric_columns.measured`
joins into one statement (built once per shape).

Each takes the dates, bounds and ids as parameters (see `metrics.compute` for the
names): building and keying a statement of a dozen aggregate columns costs more
than running it for one enrollment. "given" cohorts bind their enrollment ids as
`cohort`; the others bind the programs whose active enrollments they are, as
`cohort_programs`.
"""

import uuid
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
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
    ROSTER_ATTENDANCE,
    Attendance,
    AttendanceStatus,
    RosterEntry,
    SessionStatus,
    TreatmentSession,
)

Statement = Select[*tuple[Any, ...]]


def in_cohort(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], given: bool
) -> ColumnElement[bool]:
    """`column` names a member of the cohort, whose ids or programs are bound on execution."""
    if given:
        return column.in_(bindparam("cohort", expanding=True))
    return column.in_(
        select(Enrollment.id).where(
            Enrollment.program_id.in_(bindparam("cohort_programs", expanding=True)),
            Enrollment.status == EnrollmentStatus.active,
        )
    )


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
    return func.count().filter(condition)


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


# The columns of `EnrollmentState`, in its field order.
STATE_COLUMNS = tuple(
    getattr(Enrollment, state_field.name) for state_field in fields(EnrollmentState)
)


def _windowed_sessions(windows: tuple[int, ...], narrowed: bool) -> list[ColumnElement[bool]]:
    """Sessions that count: not cancelled, ended within the longest window and by now.

    `starts_at` bounds repeat the `ends_at` ones so that an index on it applies.
    """
    ends_at = TreatmentSession.ends_at
    conditions = [
        TreatmentSession.status != SessionStatus.cancelled,
        TreatmentSession.starts_at >= bindparam("starts_from"),
        TreatmentSession.starts_at < bindparam("starts_before"),
        ends_at >= bindparam(f"start_{windows[-1]}"),
        ends_at < bindparam("window_end"),
        ends_at <= bindparam("now"),
    ]
    if narrowed:
        conditions.append(TreatmentSession.program_id.in_(bindparam("programs", expanding=True)))
    return conditions


def attendance(
    windows: tuple[int, ...], given: bool, narrowed: bool, dialect: str, unrecorded: bool = True
) -> Statement:
    """Per enrollment and window: attended, recorded, excused, unexcused and (when
    `unrecorded`) unrecorded sessions, and minutes attended.

    `narrowed` binds the cohort's `programs` too, so the database starts from their
    sessions (an index) rather than from every session of the period. A given
    cohort (a few enrollments) starts from its roster entries instead. Without
    `unrecorded` the roster is not read at all: only the records count.
    """
    if not unrecorded:
        return _records(windows, given, narrowed)
    if dialect == "sqlite" or given:
        return _attendance_by_roster_entry(windows, given, narrowed)
    return _attendance_counted_apart(windows, narrowed)


def _record_columns(windows: tuple[int, ...], ends_at: Any) -> list[Any]:
    status = Attendance.status
    columns: list[Any] = []
    for w in windows:
        inside = ends_at >= bindparam(f"start_{w}")
        columns += [
            _count_if(and_(inside, status.in_(ATTENDED))).label(f"attended_{w}"),
            _count_if(inside).label(f"recorded_{w}"),
            _count_if(and_(inside, status == AttendanceStatus.absent_excused)).label(
                f"excused_{w}"
            ),
            _count_if(and_(inside, status == AttendanceStatus.absent_unexcused)).label(
                f"unexcused_{w}"
            ),
            func.coalesce(func.sum(Attendance.minutes_attended).filter(inside), 0).label(
                f"minutes_{w}"
            ),
        ]
    return columns


def _records(windows: tuple[int, ...], given: bool, narrowed: bool) -> Statement:
    """Each windowed session's records, counted per enrollment."""
    statement = (
        select(Attendance.enrollment_id, *_record_columns(windows, TreatmentSession.ends_at))
        .join(TreatmentSession, TreatmentSession.id == Attendance.session_id)
        .where(*_windowed_sessions(windows, narrowed))
        .group_by(Attendance.enrollment_id)
    )
    if given or not narrowed:
        # Narrowed to the cohort's programs, whoever else has records there is
        # simply never looked up.
        statement = statement.where(in_cohort(Attendance.enrollment_id, given))
    return statement


def _attendance_by_roster_entry(windows: tuple[int, ...], given: bool, narrowed: bool) -> Statement:
    """Each roster entry joined to its record.

    What SQLite does best (its B-tree probes are cheap in-process), and what a few
    enrollments need anywhere.
    """
    ends_at, status = TreatmentSession.ends_at, Attendance.status
    columns: list[Any] = []
    for w in windows:
        inside = ends_at >= bindparam(f"start_{w}")
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
            func.coalesce(func.sum(Attendance.minutes_attended).filter(inside), 0).label(
                f"minutes_{w}"
            ),
        ]
    member = RosterEntry.enrollment_id.expression
    if narrowed:
        # SQLite starts from the programs' sessions only when the roster's index on
        # enrollments is out of its reach.
        member = _Unindexed(member)
    return (
        select(RosterEntry.enrollment_id, *columns)
        .join(TreatmentSession, TreatmentSession.id == RosterEntry.session_id)
        .outerjoin(Attendance, ROSTER_ATTENDANCE)
        .where(*_windowed_sessions(windows, narrowed), in_cohort(member, given))
        .group_by(RosterEntry.enrollment_id)
    )


def _attendance_counted_apart(windows: tuple[int, ...], narrowed: bool) -> Statement:
    """Roster entries and records counted apart, then joined per enrollment.

    Every record references its roster entry (a foreign key), so "unrecorded" is
    rostered minus recorded. On PostgreSQL this reads a session's records in one
    index range instead of probing the index once per roster entry: half the time.
    """
    windowed = (
        select(TreatmentSession.id, TreatmentSession.ends_at)
        .where(*_windowed_sessions(windows, narrowed))
        .cte("windowed")
    )

    def inside(w: int) -> ColumnElement[bool]:
        return windowed.c.ends_at >= bindparam(f"start_{w}")

    rostered = select(
        RosterEntry.enrollment_id,
        *(_count_if(inside(w)).label(f"rostered_{w}") for w in windows),
    ).join(windowed, windowed.c.id == RosterEntry.session_id)
    recorded = select(Attendance.enrollment_id, *_record_columns(windows, windowed.c.ends_at)).join(
        windowed, windowed.c.id == Attendance.session_id
    )
    if not narrowed:
        # Narrowed to the cohort's programs, whoever else is on their rosters is
        # simply never looked up.
        rostered = rostered.where(in_cohort(RosterEntry.enrollment_id, given=False))
        recorded = recorded.where(in_cohort(Attendance.enrollment_id, given=False))
    roster = rostered.group_by(RosterEntry.enrollment_id).subquery("rostered")
    records = recorded.group_by(Attendance.enrollment_id).subquery("recorded")

    def count(name: str) -> ColumnElement[int]:
        return func.coalesce(records.c[name], 0)

    columns: list[Any] = []
    for w in windows:
        columns += [
            count(f"attended_{w}").label(f"attended_{w}"),
            count(f"recorded_{w}").label(f"recorded_{w}"),
            count(f"excused_{w}").label(f"excused_{w}"),
            count(f"unexcused_{w}").label(f"unexcused_{w}"),
            (roster.c[f"rostered_{w}"] - count(f"recorded_{w}")).label(f"unrecorded_{w}"),
            count(f"minutes_{w}").label(f"minutes_{w}"),
        ]
    return select(roster.c.enrollment_id, *columns).outerjoin(
        records, records.c.enrollment_id == roster.c.enrollment_id
    )


def homework(windows: tuple[int, ...], given: bool) -> Statement:
    """Per enrollment, (due, done) for each window in turn (shortest first)."""
    done = or_(
        Homework.status.in_((HomeworkStatus.submitted, HomeworkStatus.reviewed)),
        Homework.submitted_at.is_not(None),
    )
    columns: list[Any] = []
    for w in windows:
        inside = Homework.due_at >= bindparam(f"start_{w}")
        columns += [
            _count_if(inside).label(f"due_{w}"),
            _count_if(and_(inside, done)).label(f"done_{w}"),
        ]
    return (
        select(Homework.enrollment_id, *columns)
        .where(
            in_cohort(Homework.enrollment_id, given),
            Homework.due_at >= bindparam(f"start_{windows[-1]}"),
            Homework.due_at < bindparam("window_end"),
            Homework.due_at <= bindparam("now"),
        )
        .group_by(Homework.enrollment_id)
    )


def use_events(windows: tuple[int, ...], given: bool) -> Statement:
    """Per enrollment, the last use, then the events of each window in turn."""
    occurred = ClinicalEvent.occurred_on
    columns = [_count_if(occurred >= bindparam(f"since_{w}")).label(f"events_{w}") for w in windows]
    return (
        select(ClinicalEvent.enrollment_id, func.max(occurred).label("last_use_on"), *columns)
        .where(
            in_cohort(ClinicalEvent.enrollment_id, given),
            occurred <= bindparam("as_of"),
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
