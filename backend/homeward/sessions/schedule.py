"""Generating a program's sessions from its weekly slots.

Occurrences are computed in the program's timezone, so a 09:00 group stays at
09:00 local time across DST changes (its UTC time shifts instead). The work is
set-based: a fixed number of statements for a week whatever the number of slots
and enrollments.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import delete, exists, insert, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.enrollments.models import Enrollment, EnrollmentStatus
from homeward.errors import InvalidInput
from homeward.fields import EARLIEST_DAY, LATEST_DAY
from homeward.programs.models import Phase, Program, Slot, phase_slots
from homeward.sessions.exceptions import ProgramNotFound, ScheduleBusy
from homeward.sessions.models import (
    ROSTER_ATTENDANCE,
    RosterEntry,
    SessionStatus,
    TreatmentSession,
)
from homeward.sessions.schemas import ScheduleGenerate, ScheduleResult

MAX_DAYS = 92
# Far enough for any backfill or plan; keeps UTC conversions away from date.min and date.max.
EARLIEST, LATEST = EARLIEST_DAY, LATEST_DAY
# Rows per multi-row INSERT: under SQLite's 32,766 bound parameters (3 per row).
CHUNK = 5000


T = TypeVar("T")


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass(frozen=True)
class Occurrence:
    slot: Slot
    day: date
    starts_at: datetime
    ends_at: datetime


def occurrences(slots: list[Slot], first: date, last: date, tz: ZoneInfo) -> Iterator[Occurrence]:
    """Each slot's occurrences between two local dates inclusive, as UTC times.

    A wall-clock time skipped by a spring-forward change resolves to the
    offset before the change (zoneinfo's fold=0), one an hour later in practice.
    """
    by_weekday: dict[int, list[Slot]] = defaultdict(list)
    for slot in slots:
        by_weekday[slot.weekday].append(slot)
    day = first
    while day <= last:
        for slot in by_weekday.get(day.weekday(), []):
            starts = datetime.combine(day, slot.start_time, tzinfo=tz).astimezone(UTC)
            ends = datetime.combine(day, slot.end_time, tzinfo=tz).astimezone(UTC)
            yield Occurrence(slot, day, starts, ends)
        day += timedelta(days=1)


def _validate_range(data: ScheduleGenerate) -> None:
    if data.to < data.from_:
        raise InvalidInput.at(["body", "to"], "to must be on or after from")
    if (data.to - data.from_).days + 1 > MAX_DAYS:
        raise InvalidInput.at(["body", "to"], f"generate at most {MAX_DAYS} days at a time")
    if data.from_ < EARLIEST:
        raise InvalidInput.at(["body", "from"], f"dates start at {EARLIEST.isoformat()}")
    if data.to > LATEST:
        raise InvalidInput.at(["body", "to"], f"dates end at {LATEST.isoformat()}")


def generate(
    db: Session, actor: Actor, program_id: uuid.UUID, data: ScheduleGenerate
) -> ScheduleResult:
    """Create the missing sessions between two local dates and bring future rosters up to date.

    A session already held for a slot on a local date counts as that occurrence
    even if it was moved to another time that day, so rescheduling one session
    and generating again creates no duplicate.
    """
    _validate_range(data)
    program = db.get(Program, program_id)
    if program is None:
        raise ProgramNotFound()
    tz = ZoneInfo(program.timezone)
    now = clock.now()
    slots = list(db.scalars(select(Slot).where(Slot.program_id == program.id)))
    wanted = list(occurrences(slots, data.from_, data.to, tz))

    # Existing sessions of these slots, looked up by (slot, local date). The UTC window
    # is padded by a day on each side because local dates and UTC dates differ.
    window_start = datetime.combine(data.from_ - timedelta(days=1), datetime.min.time(), UTC)
    window_end = datetime.combine(data.to + timedelta(days=2), datetime.min.time(), UTC)
    existing_rows = db.execute(
        select(
            TreatmentSession.id,
            TreatmentSession.slot_id,
            TreatmentSession.starts_at,
            TreatmentSession.status,
        ).where(
            TreatmentSession.program_id == program.id,
            TreatmentSession.slot_id.is_not(None),
            TreatmentSession.starts_at >= window_start,
            TreatmentSession.starts_at < window_end,
        )
    ).all()
    existing = {(row.slot_id, row.starts_at.astimezone(tz).date()): row for row in existing_rows}

    new_rows: list[dict[str, object]] = []
    # The sessions whose roster generation maintains: new ones, and existing future ones.
    to_roster: dict[uuid.UUID, tuple[uuid.UUID, date]] = {}
    existing_count = 0
    for occurrence in wanted:
        found = existing.get((occurrence.slot.id, occurrence.day))
        if found is not None:
            existing_count += 1
            if found.status == SessionStatus.scheduled and found.starts_at > now:
                to_roster[found.id] = (occurrence.slot.id, occurrence.day)
            continue
        session_id = uuid.uuid4()
        slot = occurrence.slot
        new_rows.append(
            {
                "id": session_id,
                "program_id": program.id,
                "slot_id": slot.id,
                "session_type": slot.session_type,
                "title": slot.title,
                "starts_at": occurrence.starts_at,
                "ends_at": occurrence.ends_at,
                "facilitator_id": slot.facilitator_id,
                "room": slot.room,
                "status": SessionStatus.scheduled,
                "created_at": now,
                "updated_at": now,
            }
        )
        to_roster[session_id] = (slot.id, occurrence.day)

    if new_rows:
        try:
            with db.begin_nested():
                for rows in chunks(new_rows):
                    db.execute(insert(TreatmentSession).values(list(rows)))
        except IntegrityError as error:
            raise ScheduleBusy(
                "Another request generated sessions for these dates meanwhile"
            ) from error

    rostered = _sync_rosters(
        db, program.id, to_roster, new_ids={r["id"] for r in new_rows}, now=now
    )
    result = ScheduleResult(created=len(new_rows), existing=existing_count, rostered=rostered)
    record(
        db,
        actor,
        "schedule.generate",
        "program",
        program.id,
        detail={"from": data.from_.isoformat(), "to": data.to.isoformat(), **result.model_dump()},
    )
    return result


def _sync_rosters(
    db: Session,
    program_id: uuid.UUID,
    sessions: dict[uuid.UUID, tuple[uuid.UUID, date]],
    *,
    new_ids: set[object],
    now: datetime,
) -> int:
    """Roster each session with the active enrollments whose phase attends its slot.

    Enrollments are only rostered from their admission day on, so backfilled
    history does not list clients who had not arrived yet. Entries with attendance
    stay, whatever the enrollment's phase now.
    """
    if not sessions:
        return 0
    phase_rows = db.execute(
        select(phase_slots.c.phase_id, phase_slots.c.slot_id)
        .join(Phase, Phase.id == phase_slots.c.phase_id)
        .where(Phase.program_id == program_id)
    ).all()
    attending_phases: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for phase_id, slot_id in phase_rows:
        attending_phases[slot_id].add(phase_id)
    enrollments = db.execute(
        select(Enrollment.id, Enrollment.current_phase_id, Enrollment.admitted_on).where(
            Enrollment.program_id == program_id, Enrollment.status == EnrollmentStatus.active
        )
    ).all()

    desired: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for session_id, (slot_id, day) in sessions.items():
        phases = attending_phases.get(slot_id, set())
        for enrollment in enrollments:
            if enrollment.current_phase_id in phases and (
                enrollment.admitted_on is None or enrollment.admitted_on <= day
            ):
                desired.add((session_id, enrollment.id))

    current: set[tuple[uuid.UUID, uuid.UUID]] = set()
    kept: set[tuple[uuid.UUID, uuid.UUID]] = set()
    existing_ids = [session_id for session_id in sessions if session_id not in new_ids]
    if existing_ids:
        has_attendance = exists().where(ROSTER_ATTENDANCE).label("has_attendance")
        for row in db.execute(
            select(RosterEntry.session_id, RosterEntry.enrollment_id, has_attendance).where(
                RosterEntry.session_id.in_(existing_ids)
            )
        ):
            pair = (row.session_id, row.enrollment_id)
            current.add(pair)
            if row.has_attendance:
                kept.add(pair)

    stale = current - desired - kept
    for pairs in chunks(sorted(stale)):
        db.execute(
            delete(RosterEntry)
            .where(tuple_(RosterEntry.session_id, RosterEntry.enrollment_id).in_(pairs))
            .execution_options(synchronize_session=False)
        )
    missing = desired - current
    for pairs in chunks(sorted(missing)):
        db.execute(
            insert(RosterEntry).values(
                [
                    {"session_id": session_id, "enrollment_id": enrollment_id, "added_at": now}
                    for session_id, enrollment_id in pairs
                ]
            )
        )
    db.expire_all()
    return len(missing)
