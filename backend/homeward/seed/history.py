"""Clinical history written in bulk: what the demo clinic and the synthetic clinic share.

Rows are plain dicts inserted in chunks, never ORM objects, so tens of thousands of
enrollments with weeks of history take seconds. Both clinics plan their schedules with
these helpers, so both keep the same invariants: a session's roster is the enrollments
whose phase on that day attends its slot, attendance exists only for sessions that have
ended, and every phase change has a history row.
"""

import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, text
from sqlalchemy.orm import Session

from homeward.bulk import insert_dicts
from homeward.enrollments.models import EnrollmentStatus
from homeward.enrollments.phase_days import Change, phase_on
from homeward.programs.models import SessionType
from homeward.sessions.models import AttendanceStatus, SessionStatus

CHUNK_SIZE = 5_000
Row = dict[str, Any]
# A homework row's columns before the client hands it in.
NOT_HANDED_IN: dict[str, Any] = {
    "response": None,
    "submitted_at": None,
    "feedback": None,
    "review_outcome": None,
    "reviewed_at": None,
    "reviewed_by_id": None,
}


def settle_after_bulk_load(engine: Engine) -> None:
    """What the database does on its own a while after a bulk load, done at once.

    Statistics, without which the planner guesses badly on tables this size; and on
    PostgreSQL a VACUUM, which marks the new pages all-visible, so that index-only scans
    (a session's roster and attendance counts) do not visit every row's page as well.
    """
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        return
    # VACUUM cannot run inside a transaction.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def bulk_insert(db: Session, target: type[Any] | Table, rows: Sequence[Row]) -> None:
    """Insert `rows` in chunks; nothing enters the identity map.

    A mapped class goes in as its table: these rows need nothing from the ORM. On
    PostgreSQL each chunk is one `COPY` (`bulk.insert_dicts`): an executemany there is
    one statement per row, and each statement also runs the progress-counting triggers.
    """
    table = target if isinstance(target, Table) else target.__table__
    connection = db.connection()
    for start in range(0, len(rows), CHUNK_SIZE):
        insert_dicts(connection, table, rows[start : start + CHUNK_SIZE])


def new_id(rng: random.Random | None = None) -> uuid.UUID:
    """A random UUID; from `rng` when given, so a seeded build repeats its ids."""
    if rng is None:
        return uuid.uuid4()
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time in `zone` (DST-correct)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def days_between(first: date, last: date) -> Iterable[date]:
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


@dataclass(frozen=True)
class SlotSpec:
    id: uuid.UUID
    weekday: int
    start_time: time
    end_time: time
    session_type: SessionType
    title: str
    facilitator_id: uuid.UUID | None = None
    room: str | None = None


@dataclass(frozen=True)
class Stint:
    """A stretch of days an enrollment attends one phase's slots; `end` is exclusive."""

    phase_id: uuid.UUID
    start: date
    end: date | None = None


@dataclass
class PlannedSession:
    day: date
    slot: SlotSpec
    row: Row
    roster: list[uuid.UUID] = field(default_factory=list)

    @property
    def starts_at(self) -> datetime:
        value: datetime = self.row["starts_at"]
        return value

    @property
    def ends_at(self) -> datetime:
        value: datetime = self.row["ends_at"]
        return value


def _changes(stints: Sequence[Stint]) -> tuple[list[Change], date | None]:
    """A stint history as phase changes, and the day it ended (stints are contiguous)."""
    return [(stint.start, stint.phase_id) for stint in stints], stints[-1].end if stints else None


def plan_sessions(
    program_id: uuid.UUID,
    zone: ZoneInfo,
    slots: Sequence[SlotSpec],
    first: date,
    last: date,
    slots_by_phase: dict[uuid.UUID, frozenset[uuid.UUID]],
    stints: dict[uuid.UUID, list[Stint]],
    rng: random.Random | None = None,
) -> list[PlannedSession]:
    """One session per slot occurrence in [first, last], rostered from each phase history."""
    by_weekday: dict[int, list[SlotSpec]] = {}
    for slot in slots:
        by_weekday.setdefault(slot.weekday, []).append(slot)
    histories = {enrollment_id: _changes(history) for enrollment_id, history in stints.items()}
    planned = []
    for day in days_between(first, last):
        for slot in by_weekday.get(day.weekday(), ()):
            session = PlannedSession(
                day,
                slot,
                {
                    "id": new_id(rng),
                    "program_id": program_id,
                    "slot_id": slot.id,
                    "session_type": slot.session_type,
                    "title": slot.title,
                    "starts_at": local_instant(day, slot.start_time, zone),
                    "ends_at": local_instant(day, slot.end_time, zone),
                    "facilitator_id": slot.facilitator_id,
                    "room": slot.room,
                    "status": SessionStatus.scheduled,
                },
            )
            for enrollment_id, (changes, ended_on) in histories.items():
                phase_id = phase_on(changes, day, ended_on=ended_on)
                if phase_id is not None and slot.id in slots_by_phase[phase_id]:
                    session.roster.append(enrollment_id)
            planned.append(session)
    return planned


def phase_change_rows(
    enrollment_id: uuid.UUID,
    history: Sequence[Stint],
    reasons: Sequence[str] = (),
    rng: random.Random | None = None,
    changed_by_id: uuid.UUID | None = None,
) -> list[Row]:
    """The append-only phase history for `history`, admission (from None) first."""
    rows = []
    previous: uuid.UUID | None = None
    for index, stint in enumerate(history):
        reason = reasons[index] if index < len(reasons) else ""
        rows.append(
            {
                "id": new_id(rng),
                "enrollment_id": enrollment_id,
                "from_phase_id": previous,
                "to_phase_id": stint.phase_id,
                "effective_on": stint.start,
                "reason": reason or ("admission" if previous is None else "step down"),
                "changed_by_id": changed_by_id,
                "created_at": datetime.combine(stint.start, time(12), tzinfo=UTC),
            }
        )
        previous = stint.phase_id
    return rows


def status_row(
    enrollment_id: uuid.UUID,
    from_status: EnrollmentStatus | None,
    to_status: EnrollmentStatus,
    at: datetime,
    note: str = "",
    rng: random.Random | None = None,
) -> Row:
    return {
        "id": new_id(rng),
        "enrollment_id": enrollment_id,
        "from_status": from_status,
        "to_status": to_status,
        "note": note,
        "changed_by_id": None,
        "occurred_at": at,
    }


def minutes_for(status: AttendanceStatus, minutes: int, rng: random.Random) -> int:
    if status == AttendanceStatus.present:
        return minutes
    if status in (AttendanceStatus.late, AttendanceStatus.left_early):
        return max(minutes - rng.choice((15, 20, 30, 45)), minutes // 2)
    return 0
