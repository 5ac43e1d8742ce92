"""An enrollment's progress: week by week, and the tapering metrics as they stand.

A read serves the snapshot kept from an earlier one while it is current (see
`homeward.progress.models`), in one statement with its audit event. Otherwise the
view is computed, in a fixed number of queries whatever the history: the
enrollment's sessions, homework, events and phase changes for the weeks shown are
read in one query each and bucketed here; the current metrics come from
`metrics.compute`. Then it is kept for the reads that follow.
"""

import uuid
from bisect import bisect_right
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

import anyio.to_thread
from pydantic import TypeAdapter
from sqlalchemy import Row
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.reads import AuditedReads
from homeward.audit.service import Actor, record
from homeward.enrollments.exceptions import EnrollmentNotFound
from homeward.enrollments.phase_days import Change, phase_on
from homeward.homework.models import HomeworkStatus
from homeward.programs.levels import hour_band
from homeward.programs.models import Phase
from homeward.progress import metrics, statements
from homeward.progress.schemas import (
    CurrentProgress,
    MetricValue,
    ProgressRead,
    ProgressWeek,
)
from homeward.sessions.models import (
    ATTENDED,
    AttendanceStatus,
)

_WEEKS = TypeAdapter(list[ProgressWeek])
# The enrollment and program columns `_enrollment` reads.
Enrolled = Row[*tuple[Any, ...]]
_Rows = Iterable[Row[*tuple[Any, ...]]]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


class _Week:
    def __init__(self) -> None:
        self.minutes_scheduled = 0.0
        self.minutes_attended = 0
        self.attended = self.recorded = self.excused = self.unrecorded = 0
        self.homework_due = self.homework_completed = 0
        self.events: list[dict[str, object]] = []


class _Weeks:
    """The weeks shown, Monday to Monday in the program's time, each with its counts."""

    def __init__(self, today: date, weeks: int, timezone: str) -> None:
        self.first_monday = _monday(today) - timedelta(weeks=weeks - 1)
        self.mondays = [self.first_monday + timedelta(weeks=offset) for offset in range(weeks)]
        # Where each week begins, as an instant: rows are bucketed by comparing instants,
        # not by converting each one to the program's time.
        self.starts = [metrics.local_midnight(monday, timezone) for monday in self.mondays]
        self.end = metrics.local_midnight(self.mondays[-1] + timedelta(weeks=1), timezone)
        self.buckets = [_Week() for _ in self.mondays]

    def of(self, instant: datetime) -> _Week:
        return self.buckets[bisect_right(self.starts, instant) - 1]

    def on(self, day: date) -> _Week:
        return self.buckets[(day - self.first_monday).days // 7]


def _phase_on(day: date, changes: list[Change], enrollment: Enrolled) -> uuid.UUID | None:
    """The phase the enrollment was in on `day`, from its phase history; without one,
    its current phase from when that started."""
    if not changes:
        started = enrollment.phase_started_on or enrollment.admitted_on
        return enrollment.current_phase_id if started and started <= day else None
    return phase_on(changes, day)


def _enrollment(db: Session, enrollment_id: uuid.UUID) -> Enrolled:
    """The enrollment's columns the view needs, with its program's, in one query."""
    row: Enrolled | None = (
        db.connection().execute(statements.ENROLLMENT, {"enrollment_id": enrollment_id}).first()
    )
    if row is None:
        raise EnrollmentNotFound()
    return row


async def get_progress(
    reads: AuditedReads,
    session: Callable[[], Session],
    actor: Actor,
    enrollment_id: uuid.UUID,
    weeks: int,
) -> bytes:
    """The progress view as JSON: the kept snapshot while it is current, else computed
    afresh on the Session `session()` opens."""
    parameters = {"enrollment_id": enrollment_id, "weeks": weeks, "now": clock.now()}
    kept = await reads.one(statements.CURRENT_SNAPSHOT, actor, parameters)
    if kept is not None:
        body: bytes = kept["body"]
        return body
    return await anyio.to_thread.run_sync(compute_progress, session(), actor, enrollment_id, weeks)


def compute_progress(db: Session, actor: Actor, enrollment_id: uuid.UUID, weeks: int) -> bytes:
    """The progress view computed afresh, as JSON, kept as the enrollment's snapshot."""
    connection = db.connection()
    # Read before any input: a change committed after this read leaves the snapshot
    # with an older generation than the enrollment's, so it is never served.
    generation = connection.execute(statements.GENERATION, {"enrollment_id": enrollment_id})
    computed_from = generation.scalar() or 0
    now = clock.now()
    enrollment = _enrollment(db, enrollment_id)
    progress, valid_until = _computed(db, enrollment, weeks, now)
    body = progress.model_dump_json().encode()
    connection.execute(
        statements.keep_snapshot(connection.dialect.name),
        {
            "enrollment_id": enrollment_id,
            "weeks": weeks,
            "generation": computed_from,
            "computed_at": now,
            "valid_until": valid_until,
            "body": body,
        },
    )
    record(
        db,
        actor,
        "progress.read",
        "enrollment",
        enrollment_id,
        patient_id=enrollment.patient_id,
        detail={"weeks": weeks},
    )
    return body


def _computed(
    db: Session, enrollment: Enrolled, weeks: int, now: datetime
) -> tuple[ProgressRead, datetime]:
    """The view as of `now`, and the first moment after `now` that changes it by
    itself: a session ends, homework falls due, or the next day begins."""
    phases = {
        phase.id: phase
        for phase in db.scalars(statements.PHASES, {"program_id": enrollment.program_id})
    }
    timezone = enrollment.timezone
    today = metrics.today_in(timezone, now)
    shown = _Weeks(today, weeks, timezone)
    connection = db.connection()
    window = {
        "enrollment_id": enrollment.id,
        "program_id": enrollment.program_id,
        "earliest_start": shown.starts[0] - metrics.LONGEST_SESSION,
        "start": shown.starts[0],
        "end": shown.end,
        "now": now,
        "first_monday": shown.first_monday,
        "today": today,
    }
    # What counts as attended or due is decided by comparing these instants with now.
    changes_at = [metrics.local_midnight(today + timedelta(days=1), timezone)]
    changes_at += _count_sessions(shown, connection.execute(statements.SESSIONS, window), now)
    changes_at += _count_homework(shown, connection.execute(statements.HOMEWORK, window), now)
    for event in connection.execute(statements.EVENTS, window).mappings():
        shown.on(event["occurred_on"]).events.append(dict(event))
    changes = [
        (effective_on, phase_id)
        for effective_on, phase_id in connection.execute(statements.PHASE_CHANGES, window)
    ]
    progress = ProgressRead(
        enrollment_id=enrollment.id,
        program_id=enrollment.program_id,
        timezone=timezone,
        weeks=_WEEKS.validate_python(_week_rows(shown, phases, changes, enrollment, today)),
        current=_current(db, enrollment, today, now),
    )
    return progress, min(changes_at)


def _count_sessions(shown: _Weeks, sessions: _Rows, now: datetime) -> list[datetime]:
    """Each session's scheduled and recorded minutes into its week; returns when those
    yet to end do."""
    ending: list[datetime] = []
    for starts_at, ends_at, status, minutes in sessions:
        week = shown.of(ends_at)
        week.minutes_scheduled += (ends_at - starts_at).total_seconds() / 60
        if ends_at > now:
            ending.append(ends_at)
            continue
        if status is None:
            week.unrecorded += 1
            continue
        week.recorded += 1
        week.minutes_attended += minutes or 0
        week.attended += status in ATTENDED
        week.excused += status == AttendanceStatus.absent_excused
    return ending


def _count_homework(shown: _Weeks, homework: _Rows, now: datetime) -> list[datetime]:
    """Homework already due into its week; returns when the rest falls due."""
    falling_due: list[datetime] = []
    for due_at, homework_status, submitted_at in homework:
        if due_at > now:
            falling_due.append(due_at)
            continue
        week = shown.of(due_at)
        week.homework_due += 1
        week.homework_completed += (
            homework_status in (HomeworkStatus.submitted, HomeworkStatus.reviewed)
            or submitted_at is not None
        )
    return falling_due


def _week_rows(
    shown: _Weeks,
    phases: dict[uuid.UUID, Phase],
    changes: list[Change],
    enrollment: Enrolled,
    today: date,
) -> list[dict[str, Any]]:
    """Each week's figures, beside the phase the enrollment was in at its end (or today)."""
    level_minimum = hour_band(
        enrollment.level_of_care,
        enrollment.population,
        enrollment.min_hours_per_week,
        enrollment.max_hours_per_week,
    ).minimum
    rows = []
    for monday, week in zip(shown.mondays, shown.buckets, strict=True):
        phase = phases.get(
            _phase_on(min(monday + timedelta(days=6), today), changes, enrollment)  # type: ignore[arg-type]
        )
        counted = week.recorded - week.excused
        rows.append(
            {
                "week_start": monday,
                "phase_id": phase.id if phase else None,
                "phase_name": phase.name if phase else None,
                "planned_hours_per_week": phase.planned_hours_per_week if phase else None,
                "level_hours_min": level_minimum,
                "hours_scheduled": round(week.minutes_scheduled / 60, 2),
                "hours_attended": round(week.minutes_attended / 60, 2),
                "attendance_rate": week.attended / counted if counted > 0 else None,
                "unrecorded_sessions": week.unrecorded,
                "homework_due": week.homework_due,
                "homework_completed": week.homework_completed,
                "events": week.events,
            }
        )
    return rows


def _current(db: Session, enrollment: Enrolled, today: date, now: datetime) -> CurrentProgress:
    """Every tapering metric over the default windows, as a rule would read it today."""
    keys = metrics.default_keys()
    current = metrics.compute(
        db,
        metrics.given_cohort([enrollment.id]),
        timezone=enrollment.timezone,
        as_of=today,
        keys=keys,
        now=now,
        program_ids=[enrollment.program_id],
    )
    values = current.values.get(enrollment.id, {})
    return CurrentProgress(
        as_of=today,
        metrics=[
            MetricValue(metric=key.metric, window_days=key.window_days, value=values.get(key))
            for key in keys
        ],
        unrecorded_sessions=current.unrecorded.get(enrollment.id, {}).get(
            max(metrics.DEFAULT_WINDOWS), 0
        ),
    )
