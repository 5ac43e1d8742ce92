"""Generating a program's sessions from its weekly slots.

Occurrences are computed in the program's timezone, so a 09:00 group stays at
09:00 local time across DST changes (its UTC time shifts instead). The work is
set-based: a fixed number of statements for a week whatever the number of slots
and enrollments.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Row, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.errors import InvalidInput
from homeward.fields import EARLIEST_DAY, LATEST_DAY
from homeward.programs.models import Program, Slot
from homeward.sessions.exceptions import ProgramNotFound, ScheduleBusy
from homeward.sessions.models import SessionStatus, TreatmentSession
from homeward.sessions.rostering import sync_rosters, these_sessions
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
    now = clock.now()
    plan = _plan(db, program, data, now)
    if plan.new_rows:
        try:
            with db.begin_nested():
                for rows in chunks(plan.new_rows):
                    db.execute(insert(TreatmentSession).values(list(rows)))
        except IntegrityError as error:
            raise ScheduleBusy(
                "Another request generated sessions for these dates meanwhile"
            ) from error
    rostered = sync_rosters(db, these_sessions(plan.to_roster))
    result = ScheduleResult(created=len(plan.new_rows), existing=plan.existing, rostered=rostered)
    record(
        db,
        actor,
        "schedule.generate",
        "program",
        program.id,
        detail={"from": data.from_.isoformat(), "to": data.to.isoformat(), **result.model_dump()},
    )
    return result


@dataclass
class _Plan:
    new_rows: list[dict[str, object]] = field(default_factory=list)
    # The sessions whose roster generation maintains: new ones, and existing future ones.
    to_roster: list[uuid.UUID] = field(default_factory=list)
    existing: int = 0


def _plan(db: Session, program: Program, data: ScheduleGenerate, now: datetime) -> _Plan:
    """The sessions to create for the range, and those to re-roster."""
    tz = ZoneInfo(program.timezone)
    slots = list(db.scalars(select(Slot).where(Slot.program_id == program.id)))
    existing = _existing_by_slot_and_day(db, program.id, data, tz)
    plan = _Plan()
    for occurrence in occurrences(slots, data.from_, data.to, tz):
        found = existing.get((occurrence.slot.id, occurrence.day))
        if found is None:
            session_id = uuid.uuid4()
            plan.new_rows.append(_session_row(session_id, program.id, occurrence, now))
            plan.to_roster.append(session_id)
            continue
        plan.existing += 1
        if found.status == SessionStatus.scheduled and found.starts_at > now:
            plan.to_roster.append(found.id)
    return plan


def _existing_by_slot_and_day(
    db: Session, program_id: uuid.UUID, data: ScheduleGenerate, tz: ZoneInfo
) -> dict[tuple[uuid.UUID | None, date], Row[uuid.UUID, uuid.UUID | None, datetime, SessionStatus]]:
    """The program's generated sessions near the range, by (slot, local date).

    The UTC window is padded by a day on each side because local dates and UTC dates differ.
    """
    window_start = datetime.combine(data.from_ - timedelta(days=1), datetime.min.time(), UTC)
    window_end = datetime.combine(data.to + timedelta(days=2), datetime.min.time(), UTC)
    rows = db.execute(
        select(
            TreatmentSession.id,
            TreatmentSession.slot_id,
            TreatmentSession.starts_at,
            TreatmentSession.status,
        ).where(
            TreatmentSession.program_id == program_id,
            TreatmentSession.slot_id.is_not(None),
            TreatmentSession.starts_at >= window_start,
            TreatmentSession.starts_at < window_end,
        )
    ).all()
    return {(row.slot_id, row.starts_at.astimezone(tz).date()): row for row in rows}


def _session_row(
    session_id: uuid.UUID, program_id: uuid.UUID, occurrence: Occurrence, now: datetime
) -> dict[str, object]:
    slot = occurrence.slot
    return {
        "id": session_id,
        "program_id": program_id,
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
