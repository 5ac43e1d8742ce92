"""An enrollment's progress: week by week, and the tapering metrics as they stand.

A fixed number of queries whatever the history: the enrollment's sessions,
homework, events and phase changes for the weeks shown are read in one query
each and bucketed here; the current metrics come from `metrics.compute`.
"""

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.enrollments.exceptions import EnrollmentNotFound
from homeward.enrollments.models import ClinicalEvent, Enrollment, PhaseChange
from homeward.homework.models import Homework, HomeworkStatus
from homeward.programs.models import Phase, Program
from homeward.progress import metrics
from homeward.progress.schemas import (
    CurrentProgress,
    MetricValue,
    ProgressRead,
    ProgressWeek,
    WeekEvent,
)
from homeward.sessions.models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    RosterEntry,
    SessionStatus,
    TreatmentSession,
)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


class _Week:
    def __init__(self) -> None:
        self.minutes_scheduled = 0.0
        self.minutes_attended = 0
        self.attended = self.recorded = self.excused = self.unrecorded = 0
        self.homework_due = self.homework_completed = 0
        self.events: list[WeekEvent] = []


def _phase_on(
    day: date, changes: list[tuple[date, uuid.UUID]], enrollment: Enrollment
) -> uuid.UUID | None:
    """The phase the enrollment was in on `day`, from its phase history."""
    if not changes:
        started = enrollment.phase_started_on or enrollment.admitted_on
        return enrollment.current_phase_id if started and started <= day else None
    current = None
    for effective_on, phase_id in changes:
        if effective_on <= day:
            current = phase_id
    return current


def get_progress(db: Session, actor: Actor, enrollment_id: uuid.UUID, weeks: int) -> ProgressRead:
    enrollment = db.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise EnrollmentNotFound()
    program = db.get(Program, enrollment.program_id)
    assert program is not None
    phases = {
        phase.id: phase
        for phase in db.scalars(
            select(Phase).options(selectinload(Phase.slots)).where(Phase.program_id == program.id)
        )
    }
    now = clock.now()
    zone = ZoneInfo(program.timezone)
    today = metrics.today_in(program.timezone, now)
    first_monday = _monday(today) - timedelta(weeks=weeks - 1)
    start = metrics.local_midnight(first_monday, program.timezone)
    end = metrics.local_midnight(_monday(today) + timedelta(weeks=1), program.timezone)
    buckets: dict[date, _Week] = defaultdict(_Week)

    def week_of(instant: datetime) -> date:
        return _monday(instant.astimezone(zone).date())

    sessions = db.execute(
        select(
            TreatmentSession.starts_at,
            TreatmentSession.ends_at,
            Attendance.status,
            Attendance.minutes_attended,
        )
        .join(RosterEntry, RosterEntry.session_id == TreatmentSession.id)
        .outerjoin(
            Attendance,
            and_(
                Attendance.session_id == TreatmentSession.id,
                Attendance.enrollment_id == RosterEntry.enrollment_id,
            ),
        )
        .where(
            RosterEntry.enrollment_id == enrollment.id,
            TreatmentSession.status != SessionStatus.cancelled,
            TreatmentSession.starts_at >= start - metrics.LONGEST_SESSION,
            TreatmentSession.starts_at < end,
        )
    )
    for starts_at, ends_at, status, minutes in sessions:
        if not start <= ends_at < end:
            continue
        week = buckets[week_of(ends_at)]
        week.minutes_scheduled += (ends_at - starts_at).total_seconds() / 60
        if ends_at > now:
            continue
        if status is None:
            week.unrecorded += 1
            continue
        week.recorded += 1
        week.minutes_attended += minutes or 0
        week.attended += status in ATTENDED
        week.excused += status == AttendanceStatus.absent_excused

    homework = db.execute(
        select(Homework.due_at, Homework.status, Homework.submitted_at).where(
            Homework.enrollment_id == enrollment.id,
            Homework.due_at >= start,
            Homework.due_at < end,
            Homework.due_at <= now,
        )
    )
    for due_at, homework_status, submitted_at in homework:
        week = buckets[week_of(due_at)]
        week.homework_due += 1
        week.homework_completed += (
            homework_status in (HomeworkStatus.submitted, HomeworkStatus.reviewed)
            or submitted_at is not None
        )

    events = db.scalars(
        select(ClinicalEvent).where(
            ClinicalEvent.enrollment_id == enrollment.id,
            ClinicalEvent.occurred_on >= first_monday,
            ClinicalEvent.occurred_on <= today,
        )
    )
    for event in sorted(events, key=lambda event: (event.occurred_on, event.id)):
        buckets[_monday(event.occurred_on)].events.append(WeekEvent.model_validate(event))

    changes = [
        (effective_on, phase_id)
        for effective_on, phase_id in db.execute(
            select(PhaseChange.effective_on, PhaseChange.to_phase_id)
            .where(PhaseChange.enrollment_id == enrollment.id)
            .order_by(PhaseChange.effective_on, PhaseChange.created_at)
        )
    ]
    level_minimum = program.level_hours_min
    rows = []
    for offset in range(weeks):
        monday = first_monday + timedelta(weeks=offset)
        week = buckets[monday]
        phase = phases.get(
            _phase_on(min(monday + timedelta(days=6), today), changes, enrollment)  # type: ignore[arg-type]
        )
        counted = week.recorded - week.excused
        rows.append(
            ProgressWeek(
                week_start=monday,
                phase_id=phase.id if phase else None,
                phase_name=phase.name if phase else None,
                planned_hours_per_week=phase.planned_hours_per_week if phase else None,
                level_hours_min=level_minimum,
                hours_scheduled=round(week.minutes_scheduled / 60, 2),
                hours_attended=round(week.minutes_attended / 60, 2),
                attendance_rate=week.attended / counted if counted > 0 else None,
                unrecorded_sessions=week.unrecorded,
                homework_due=week.homework_due,
                homework_completed=week.homework_completed,
                events=week.events,
            )
        )

    current = metrics.compute(
        db,
        metrics.given_cohort([enrollment.id]),
        timezone=program.timezone,
        as_of=today,
        keys=metrics.default_keys(),
        now=now,
    )
    values = current.values.get(enrollment.id, {})
    record(
        db,
        actor,
        "progress.read",
        "enrollment",
        enrollment.id,
        patient_id=enrollment.patient_id,
        detail={"weeks": weeks},
    )
    return ProgressRead(
        enrollment_id=enrollment.id,
        program_id=program.id,
        timezone=program.timezone,
        weeks=rows,
        current=CurrentProgress(
            as_of=today,
            metrics=[
                MetricValue(metric=key.metric, window_days=key.window_days, value=values.get(key))
                for key in metrics.default_keys()
            ],
            unrecorded_sessions=current.unrecorded.get(enrollment.id, {}).get(
                max(metrics.DEFAULT_WINDOWS), 0
            ),
        ),
    )
