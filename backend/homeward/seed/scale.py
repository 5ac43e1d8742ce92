"""A large synthetic clinic built quickly with bulk inserts, for benchmarks and load tests.

`homeward seed --scale N` builds it: N active enrollments across programs the size of a
real clinic's, with weeks of sessions, attendance, homework and events, written with the
helpers of `history.py`.
"""

import math
import random
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from homeward import clock
from homeward.auth.models import Role, User
from homeward.enrollments.models import (
    ClinicalEvent,
    Enrollment,
    EnrollmentStatus,
    EventKind,
    PhaseChange,
    ScreenResult,
    StatusChange,
)
from homeward.homework.models import Homework, HomeworkCategory, HomeworkStatus, ReviewOutcome
from homeward.patients.models import Patient, Sex
from homeward.programs.levels import ASAM_EDITION, LevelOfCare, Population
from homeward.programs.models import Phase, Program, SessionType, Slot, phase_slots
from homeward.seed.history import (
    PlannedSession,
    Row,
    SlotSpec,
    Stint,
    bulk_insert,
    days_between,
    local_instant,
    minutes_for,
    phase_change_rows,
    plan_sessions,
    status_row,
)
from homeward.sessions.models import (
    Attendance,
    AttendanceStatus,
    RosterEntry,
    TreatmentSession,
)

# Programs the size of a real clinic's, so group rosters stay realistic (a few dozen).
ENROLLMENTS_PER_PROGRAM = 60
UPCOMING_DAYS = 7
# A password hash no password verifies against: generated staff cannot sign in.
UNUSABLE_PASSWORD = "!synthetic"
Progress = Callable[[int, int], None]


_MORNING = (time(9), time(12))
_AFTERNOON = (time(13), time(14))
# Phase 1 attends every slot; phase 2 three mornings and one class; phase 3 two mornings
# and two classes. The weekday keys say which slots each phase keeps.
_PHASE_SLOTS: tuple[dict[str, tuple[int, ...]], ...] = (
    {"morning": (0, 1, 2, 3, 4), "afternoon": (0, 2, 4)},
    {"morning": (0, 2, 4), "afternoon": (2,)},
    {"morning": (1, 3), "afternoon": (0, 4)},
)
_ATTENDANCE_WEIGHTS = (
    (AttendanceStatus.present, 85),
    (AttendanceStatus.late, 4),
    (AttendanceStatus.left_early, 3),
    (AttendanceStatus.absent_excused, 3),
    (AttendanceStatus.absent_unexcused, 5),
)


@dataclass
class _Program:
    id: uuid.UUID
    zone: ZoneInfo
    slots: list[SlotSpec]
    phase_ids: list[uuid.UUID]
    slots_by_phase: dict[uuid.UUID, frozenset[uuid.UUID]]


def _create_program(db: Session, number: int, size: int, token: str) -> _Program:
    facilitator_id = uuid.uuid4()
    bulk_insert(
        db,
        User,
        [
            {
                "id": facilitator_id,
                "email": f"facilitator-{token}-{number}@synthetic.example",
                "full_name": f"Facilitator {number}",
                "role": Role.clinician,
                "password_hash": UNUSABLE_PASSWORD,
            }
        ],
    )
    program_id = uuid.uuid4()
    timezone = "America/Chicago" if number % 2 else "America/New_York"
    bulk_insert(
        db,
        Program,
        [
            {
                "id": program_id,
                "name": f"Synthetic IOP {token}-{number}",
                "description": "Generated for load tests.",
                "level_of_care": LevelOfCare.intensive_outpatient,
                "level_of_care_edition": ASAM_EDITION,
                "population": Population.adult,
                "capacity": math.ceil(size * 1.2),
                "timezone": timezone,
                "default_length_days": 90,
                "services_offered": ["group_therapy", "education"],
            }
        ],
    )
    slots: dict[tuple[str, int], SlotSpec] = {}
    for part, (start, end) in (("morning", _MORNING), ("afternoon", _AFTERNOON)):
        weekdays = sorted({d for phase in _PHASE_SLOTS for d in phase[part]})
        for weekday in weekdays:
            slots[(part, weekday)] = SlotSpec(
                id=uuid.uuid4(),
                weekday=weekday,
                start_time=start,
                end_time=end,
                session_type=(
                    SessionType.group_therapy if part == "morning" else SessionType.education
                ),
                title="Process group" if part == "morning" else "Recovery education",
                facilitator_id=facilitator_id,
                room="Group room" if part == "morning" else "Classroom",
            )
    bulk_insert(
        db,
        Slot,
        [
            {
                "id": s.id,
                "program_id": program_id,
                "weekday": s.weekday,
                "start_time": s.start_time,
                "end_time": s.end_time,
                "session_type": s.session_type,
                "title": s.title,
                "facilitator_id": s.facilitator_id,
                "room": s.room,
                "capacity": None,
            }
            for s in slots.values()
        ],
    )
    phase_ids = [uuid.uuid4() for _ in _PHASE_SLOTS]
    bulk_insert(
        db,
        Phase,
        [
            {
                "id": phase_id,
                "program_id": program_id,
                "name": f"Phase {order}",
                "order": order,
                "individual_sessions_per_week": 1,
                "min_days": 14,
            }
            for order, phase_id in enumerate(phase_ids, start=1)
        ],
    )
    slots_by_phase = {
        phase_id: frozenset(slots[(part, d)].id for part, days in spec.items() for d in days)
        for phase_id, spec in zip(phase_ids, _PHASE_SLOTS, strict=True)
    }
    bulk_insert(
        db,
        phase_slots,
        [
            {"phase_id": phase_id, "slot_id": slot_id}
            for phase_id, slot_ids in slots_by_phase.items()
            for slot_id in sorted(slot_ids)
        ],
    )
    return _Program(program_id, ZoneInfo(timezone), list(slots.values()), phase_ids, slots_by_phase)


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
    program: _Program,
    size: int,
    days: int,
    now: datetime,
    token: str,
    first_patient: int,
) -> None:
    today = now.astimezone(program.zone).date()
    first = today - timedelta(days=days - 1)
    patients: list[Row] = []
    enrollments: list[Row] = []
    history_rows: list[Row] = []
    status_rows: list[Row] = []
    stints: dict[uuid.UUID, list[Stint]] = {}
    reliability: dict[uuid.UUID, float] = {}
    admitted: dict[uuid.UUID, date] = {}
    for offset in range(size):
        number = first_patient + offset
        patient_id, enrollment_id = uuid.uuid4(), uuid.uuid4()
        patients.append(
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
        stints[enrollment_id] = history
        reliability[enrollment_id] = rng.uniform(0.6, 1.0)
        admitted[enrollment_id] = admitted_on
        enrollments.append(
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
        history_rows.extend(phase_change_rows(enrollment_id, history))
        admitted_at = local_instant(admitted_on, time(8), program.zone)
        status_rows.append(status_row(enrollment_id, None, EnrollmentStatus.pending, admitted_at))
        status_rows.append(
            status_row(
                enrollment_id, EnrollmentStatus.pending, EnrollmentStatus.active, admitted_at
            )
        )
    bulk_insert(db, Patient, patients)
    bulk_insert(db, Enrollment, enrollments)
    bulk_insert(db, PhaseChange, history_rows)
    bulk_insert(db, StatusChange, status_rows)

    planned = plan_sessions(
        program.id,
        program.zone,
        program.slots,
        first,
        today + timedelta(days=UPCOMING_DAYS),
        program.slots_by_phase,
        stints,
    )
    bulk_insert(db, TreatmentSession, [session.row for session in planned])
    bulk_insert(
        db,
        RosterEntry,
        [{"session_id": s.row["id"], "enrollment_id": e} for s in planned for e in s.roster],
    )
    bulk_insert(db, Attendance, _attendance_rows(rng, planned, reliability, now))
    bulk_insert(db, Homework, _homework_rows(rng, program, admitted, reliability, first, now))
    bulk_insert(db, ClinicalEvent, _event_rows(rng, admitted, reliability, first, today))


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
    program: _Program,
    admitted: dict[uuid.UUID, date],
    reliability: dict[uuid.UUID, float],
    first: date,
    now: datetime,
) -> list[Row]:
    """One nightly assignment per enrollment per day, due the next morning."""
    today = now.astimezone(program.zone).date()
    rows = []
    for enrollment_id, admitted_on in admitted.items():
        for day in days_between(max(admitted_on, first), today):
            assigned_at = local_instant(day, time(17), program.zone)
            due_at = local_instant(day + timedelta(days=1), time(9), program.zone)
            row: Row = {
                "id": uuid.uuid4(),
                "enrollment_id": enrollment_id,
                "title": "Nightly trigger journal",
                "instructions": "Write down today's triggers and how you responded.",
                "category": HomeworkCategory.trigger_journal,
                "assigned_at": min(assigned_at, now),
                "due_at": due_at,
                "status": HomeworkStatus.assigned,
                "response": None,
                "submitted_at": None,
                "feedback": None,
                "review_outcome": None,
                "reviewed_at": None,
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
        program = _create_program(db, number, size, token)
        _build_program_history(db, rng, program, size, days, now, token, built)
        built += size
        if progress is not None:
            progress(built, active_enrollments)
    db.flush()
