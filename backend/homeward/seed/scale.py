"""A large synthetic clinic built quickly with bulk inserts, for benchmarks and load tests.

`homeward seed --scale N` builds it: N active enrollments across programs the size of a
real clinic's, with weeks of sessions, attendance, homework and events, written with the
helpers of `history.py`. The programs themselves (slots, phases, a facilitator) come from
`scale_programs.py`; this module writes the clinical history on them, a program at a
time: enrollments and their phase and status history, then the rostered sessions,
attendance, homework and drug screens drawn from it.
"""

import random
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from homeward import clock
from homeward.enrollments.models import (
    ClinicalEvent,
    Enrollment,
    EnrollmentStatus,
    EventKind,
    PhaseChange,
    ScreenResult,
    StatusChange,
)
from homeward.homework.due import next_morning
from homeward.homework.models import Homework, HomeworkCategory, HomeworkStatus, ReviewOutcome
from homeward.patients.models import Patient, Sex
from homeward.progress.metrics import today_in
from homeward.seed.history import (
    NOT_HANDED_IN,
    PlannedSession,
    Row,
    Stint,
    bulk_insert,
    days_between,
    local_instant,
    minutes_for,
    phase_change_rows,
    plan_sessions,
    status_row,
)
from homeward.seed.scale_programs import SyntheticProgram, create_program
from homeward.sessions.models import (
    Attendance,
    AttendanceStatus,
    RosterEntry,
    TreatmentSession,
)

# Programs the size of a real clinic's, so group rosters stay realistic (a few dozen).
ENROLLMENTS_PER_PROGRAM = 60
UPCOMING_DAYS = 7
Progress = Callable[[int, int], None]


_ATTENDANCE_WEIGHTS = (
    (AttendanceStatus.present, 85),
    (AttendanceStatus.late, 4),
    (AttendanceStatus.left_early, 3),
    (AttendanceStatus.absent_excused, 3),
    (AttendanceStatus.absent_unexcused, 5),
)


@dataclass
class _Cohort:
    """A program's enrollments as rows, and what their sessions, homework and events are
    drawn from: each one's phase history, reliability and admission day."""

    patients: list[Row] = field(default_factory=list)
    enrollments: list[Row] = field(default_factory=list)
    phase_changes: list[Row] = field(default_factory=list)
    status_changes: list[Row] = field(default_factory=list)
    stints: dict[uuid.UUID, list[Stint]] = field(default_factory=dict)
    reliability: dict[uuid.UUID, float] = field(default_factory=dict)
    admitted: dict[uuid.UUID, date] = field(default_factory=dict)


def _phase_history(
    rng: random.Random, phase_ids: Sequence[uuid.UUID], admitted_on: date, today: date
) -> list[Stint]:
    history: list[Stint] = []
    start = admitted_on
    for index, phase_id in enumerate(phase_ids):
        last = index == len(phase_ids) - 1
        end = None if last else start + timedelta(days=rng.randint(14, 24))
        if end is not None and end > today:
            end = None
        history.append(Stint(phase_id, start, end))
        if end is None:
            break
        start = end
    return history


def _build_program_history(
    db: Session,
    rng: random.Random,
    program: SyntheticProgram,
    size: int,
    days: int,
    now: datetime,
    token: str,
    first_patient: int,
) -> None:
    today = today_in(program.zone.key, now)
    first = today - timedelta(days=days - 1)
    cohort = _Cohort()
    for number in range(first_patient, first_patient + size):
        _enroll(cohort, rng, program, number, token, days, today)
    bulk_insert(db, Patient, cohort.patients)
    bulk_insert(db, Enrollment, cohort.enrollments)
    bulk_insert(db, PhaseChange, cohort.phase_changes)
    bulk_insert(db, StatusChange, cohort.status_changes)

    planned = plan_sessions(
        program.id,
        program.zone,
        program.slots,
        first,
        today + timedelta(days=UPCOMING_DAYS),
        program.slots_by_phase,
        cohort.stints,
    )
    bulk_insert(db, TreatmentSession, [session.row for session in planned])
    bulk_insert(
        db,
        RosterEntry,
        [{"session_id": s.row["id"], "enrollment_id": e} for s in planned for e in s.roster],
    )
    reliability, admitted = cohort.reliability, cohort.admitted
    bulk_insert(db, Attendance, _attendance_rows(rng, planned, reliability, now))
    bulk_insert(db, Homework, _homework_rows(rng, program, admitted, reliability, first, now))
    bulk_insert(db, ClinicalEvent, _event_rows(rng, admitted, reliability, first, today))


def _enroll(
    cohort: _Cohort,
    rng: random.Random,
    program: SyntheticProgram,
    number: int,
    token: str,
    days: int,
    today: date,
) -> None:
    """Patient `number`, active since a day up to 20 days before the window, tapering."""
    patient_id, enrollment_id = uuid.uuid4(), uuid.uuid4()
    cohort.patients.append(
        {
            "id": patient_id,
            "mrn": f"SC-{token}-{number:07d}",
            "given_name": f"Client{number}",
            "family_name": f"Synthetic{number % 997}",
            "date_of_birth": date(1960, 1, 1) + timedelta(days=rng.randint(0, 15_000)),
            "sex": rng.choice((Sex.female, Sex.male)),
            "medical_profile": {"detox_status": "not_needed", "conditions": []},
        }
    )
    admitted_on = today - timedelta(days=rng.randint(0, days + 20))
    history = _phase_history(rng, program.phase_ids, admitted_on, today)
    cohort.stints[enrollment_id] = history
    cohort.reliability[enrollment_id] = rng.uniform(0.6, 1.0)
    cohort.admitted[enrollment_id] = admitted_on
    cohort.enrollments.append(
        {
            "id": enrollment_id,
            "patient_id": patient_id,
            "program_id": program.id,
            "status": EnrollmentStatus.active,
            "current_phase_id": history[-1].phase_id,
            "phase_started_on": history[-1].start,
            "admitted_on": admitted_on,
            "expected_end_on": admitted_on + timedelta(days=90),
        }
    )
    cohort.phase_changes.extend(phase_change_rows(enrollment_id, history))
    admitted_at = local_instant(admitted_on, time(8), program.zone)
    cohort.status_changes += [
        status_row(enrollment_id, None, EnrollmentStatus.pending, admitted_at),
        status_row(enrollment_id, EnrollmentStatus.pending, EnrollmentStatus.active, admitted_at),
    ]


def _attendance_rows(
    rng: random.Random,
    planned: Sequence[PlannedSession],
    reliability: dict[uuid.UUID, float],
    now: datetime,
) -> list[Row]:
    statuses = [status for status, _ in _ATTENDANCE_WEIGHTS]
    weights = [weight for _, weight in _ATTENDANCE_WEIGHTS]
    rows = []
    for session in planned:
        if session.ends_at > now:
            continue
        minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
        for enrollment_id in session.roster:
            if rng.random() < reliability[enrollment_id]:
                status = AttendanceStatus.present
            else:
                status = rng.choices(statuses, weights)[0]
            rows.append(
                {
                    "session_id": session.row["id"],
                    "enrollment_id": enrollment_id,
                    "status": status,
                    "minutes_attended": minutes_for(status, minutes, rng),
                    "note": None,
                    "recorded_by_id": session.row["facilitator_id"],
                    "recorded_at": session.ends_at,
                }
            )
    return rows


def _homework_rows(
    rng: random.Random,
    program: SyntheticProgram,
    admitted: dict[uuid.UUID, date],
    reliability: dict[uuid.UUID, float],
    first: date,
    now: datetime,
) -> list[Row]:
    """One nightly assignment per enrollment per day, due the next morning."""
    today = today_in(program.zone.key, now)
    rows = []
    for enrollment_id, admitted_on in admitted.items():
        for day in days_between(max(admitted_on, first), today):
            assigned_at = local_instant(day, time(17), program.zone)
            due_at = next_morning(program.zone.key, assigned_at)
            row: Row = {
                "id": uuid.uuid4(),
                "enrollment_id": enrollment_id,
                "title": "Nightly trigger journal",
                "instructions": "Write down today's triggers and how you responded.",
                "category": HomeworkCategory.trigger_journal,
                "assigned_at": min(assigned_at, now),
                "due_at": due_at,
                "status": HomeworkStatus.assigned,
                **NOT_HANDED_IN,
            }
            if due_at <= now and rng.random() < reliability[enrollment_id]:
                row["status"] = HomeworkStatus.submitted
                row["response"] = "Journal entry."
                row["submitted_at"] = due_at - timedelta(hours=rng.randint(1, 12))
                if rng.random() < 0.5:
                    row["status"] = HomeworkStatus.reviewed
                    row["feedback"] = "Thank you; let's discuss in group."
                    row["review_outcome"] = ReviewOutcome.accepted
                    row["reviewed_at"] = due_at + timedelta(hours=2)
                    if row["reviewed_at"] > now:
                        row["status"] = HomeworkStatus.submitted
                        row["feedback"] = row["review_outcome"] = row["reviewed_at"] = None
            rows.append(row)
    return rows


def _event_rows(
    rng: random.Random,
    admitted: dict[uuid.UUID, date],
    reliability: dict[uuid.UUID, float],
    first: date,
    today: date,
) -> list[Row]:
    """A drug screen every week from admission; the less reliable sometimes relapse."""
    rows = []
    for enrollment_id, admitted_on in admitted.items():
        day = admitted_on + timedelta(days=3)
        while day <= today:
            if day >= first:
                positive = rng.random() < (1 - reliability[enrollment_id]) / 3
                rows.append(_event(enrollment_id, EventKind.drug_screen, day, positive=positive))
                if positive:
                    rows.append(_event(enrollment_id, EventKind.relapse, day, positive=True))
            day += timedelta(days=7)
    return rows


def _event(
    enrollment_id: uuid.UUID, kind: EventKind, day: date, *, positive: bool, note: str = ""
) -> Row:
    screened = kind == EventKind.drug_screen
    return {
        "id": uuid.uuid4(),
        "enrollment_id": enrollment_id,
        "kind": kind,
        "occurred_on": day,
        "result": (ScreenResult.positive if positive else ScreenResult.negative)
        if screened
        else None,
        "substances": ["alcohol"] if positive else [],
        "note": note,
        "recorded_by_id": None,
    }


def build_synthetic_clinic(
    db: Session,
    active_enrollments: int,
    days: int = 60,
    seed: int = 1,
    progress: Progress | None = None,
) -> None:
    """Programs of about 60 active enrollments each, with `days` days of history.

    Each program has weekday slots and three phases; each enrollment has a phase
    history, rostered sessions, attendance for ended sessions, nightly homework and
    weekly drug screens. Random choices come from `seed`; ids and the tag in emails
    and MRNs are fresh, so a database can hold several synthetic clinics.
    """
    if active_enrollments < 1 or days < 1:
        raise ValueError("active_enrollments and days must be positive")
    rng = random.Random(seed)
    now = clock.now()
    token = secrets.token_hex(4)
    sizes = [ENROLLMENTS_PER_PROGRAM] * (active_enrollments // ENROLLMENTS_PER_PROGRAM)
    if active_enrollments % ENROLLMENTS_PER_PROGRAM:
        sizes.append(active_enrollments % ENROLLMENTS_PER_PROGRAM)
    built = 0
    for number, size in enumerate(sizes, start=1):
        program = create_program(db, number, size, token)
        _build_program_history(db, rng, program, size, days, now, token, built)
        built += size
        if progress is not None:
            progress(built, active_enrollments)
    db.flush()
