"""The week-by-week view's queries, built once: every value is a bound parameter.

Composing these statements (and their cache keys) on every request cost more than
running them for one enrollment.
"""

import uuid
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    Insert,
    Select,
    Table,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from homeward.audit.reads import AuditedRead
from homeward.enrollments.models import ClinicalEvent, Enrollment, PhaseChange
from homeward.homework.models import Homework
from homeward.programs.models import Phase, Program
from homeward.progress.models import ProgressMark, ProgressSnapshot
from homeward.sessions.models import (
    ROSTER_ATTENDANCE,
    Attendance,
    RosterEntry,
    SessionStatus,
    TreatmentSession,
)

ENROLLMENT_ID: BindParameter[uuid.UUID] = bindparam("enrollment_id")
PROGRAM_ID: BindParameter[uuid.UUID] = bindparam("program_id")

# The enrollment's columns the view needs, with its program's.
ENROLLMENT = (
    select(
        Enrollment.id,
        Enrollment.patient_id,
        Enrollment.program_id,
        Enrollment.current_phase_id,
        Enrollment.phase_started_on,
        Enrollment.admitted_on,
        Program.timezone,
        Program.level_of_care,
        Program.population,
        Program.min_hours_per_week,
        Program.max_hours_per_week,
    )
    .join(Program, Program.id == Enrollment.program_id)
    .where(Enrollment.id == ENROLLMENT_ID)
)

PHASES = select(Phase).options(selectinload(Phase.slots)).where(Phase.program_id == PROGRAM_ID)

# Sessions ending inside [start, end), with the enrollment's attendance if recorded.
SESSIONS = (
    select(
        TreatmentSession.starts_at,
        TreatmentSession.ends_at,
        Attendance.status,
        Attendance.minutes_attended,
    )
    .select_from(RosterEntry)
    .join(TreatmentSession, TreatmentSession.id == RosterEntry.session_id)
    .outerjoin(
        Attendance,
        ROSTER_ATTENDANCE,
    )
    .where(
        RosterEntry.enrollment_id == ENROLLMENT_ID,
        # Redundant (an enrollment is rostered on its own program's sessions only), but
        # it lets the database start from the program's sessions of the period (an
        # index) rather than every program's, even on tables it has no statistics for.
        TreatmentSession.program_id == PROGRAM_ID,
        TreatmentSession.starts_at >= bindparam("earliest_start"),
        TreatmentSession.starts_at < bindparam("end"),
        TreatmentSession.ends_at >= bindparam("start"),
        TreatmentSession.ends_at < bindparam("end"),
        TreatmentSession.status != SessionStatus.cancelled,
    )
)

# Homework due inside [start, end), due already or not yet.
HOMEWORK = select(Homework.due_at, Homework.status, Homework.submitted_at).where(
    Homework.enrollment_id == ENROLLMENT_ID,
    Homework.due_at >= bindparam("start"),
    Homework.due_at < bindparam("end"),
)

EVENTS = (
    select(ClinicalEvent.id, ClinicalEvent.kind, ClinicalEvent.occurred_on, ClinicalEvent.result)
    .where(
        ClinicalEvent.enrollment_id == ENROLLMENT_ID,
        ClinicalEvent.occurred_on >= bindparam("first_monday"),
        ClinicalEvent.occurred_on <= bindparam("today"),
    )
    .order_by(ClinicalEvent.occurred_on, ClinicalEvent.id)
)

PHASE_CHANGES = (
    select(PhaseChange.effective_on, PhaseChange.to_phase_id)
    .where(PhaseChange.enrollment_id == ENROLLMENT_ID)
    .order_by(PhaseChange.effective_on, PhaseChange.created_at)
)

GENERATION = select(ProgressMark.generation).where(ProgressMark.enrollment_id == ENROLLMENT_ID)

# The snapshot of `weeks`, if it is current at `now`, with what the audit event names.
_SNAPSHOT = cast(
    "Select[Any]",
    select(ProgressSnapshot.body, ProgressSnapshot.weeks, Enrollment.id, Enrollment.patient_id)
    .join(Enrollment, Enrollment.id == ProgressSnapshot.enrollment_id)
    .outerjoin(ProgressMark, ProgressMark.enrollment_id == ProgressSnapshot.enrollment_id)
    .where(
        ProgressSnapshot.enrollment_id == ENROLLMENT_ID,
        ProgressSnapshot.weeks == bindparam("weeks"),
        ProgressSnapshot.generation == func.coalesce(ProgressMark.generation, literal_column("0")),
        # Not before it was computed either: a clock set back (in tests) sees no future.
        ProgressSnapshot.computed_at <= bindparam("now"),
        ProgressSnapshot.valid_until > bindparam("now"),
    ),
)
CURRENT_SNAPSHOT = AuditedRead(
    _SNAPSHOT,
    action="progress.read",
    resource_type="enrollment",
    resource_column="id",
    patient_column="patient_id",
    detail_columns=("weeks",),
)


@cache
def keep_snapshot(dialect: str) -> Insert:
    """An INSERT of a snapshot that replaces the one of the same weeks."""
    table = ProgressSnapshot.__table__
    assert isinstance(table, Table)
    statement = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    replaced = ("generation", "computed_at", "valid_until", "body")
    return cast(
        Insert,
        statement.on_conflict_do_update(
            index_elements=[table.c.enrollment_id, table.c.weeks],
            set_={column: statement.excluded[column] for column in replaced},
        ),
    )
