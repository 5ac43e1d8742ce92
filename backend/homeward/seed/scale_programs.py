"""The synthetic clinic's programs: each with its facilitator, weekday slots and phases.

Every program is built alike, so benchmarks measure the same shape at any size: a
morning group and an afternoon class on weekdays, tapered over three phases that keep
fewer of them, and one facilitator (who cannot sign in) running all of them. The
program goes in with bulk inserts; what its history needs of it is handed back as a
`SyntheticProgram`, so no row is read back.
"""

import math
import uuid
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from homeward.auth.models import Role, User
from homeward.programs.levels import ASAM_EDITION, LevelOfCare, Population
from homeward.programs.models import Phase, Program, SessionType, Slot, phase_slots
from homeward.seed.history import Row, SlotSpec, bulk_insert

# A password hash no password verifies against: generated staff cannot sign in.
UNUSABLE_PASSWORD = "!synthetic"

_MORNING = (time(9), time(12))
_AFTERNOON = (time(13), time(14))
# Phase 1 attends every slot; phase 2 three mornings and one class; phase 3 two mornings
# and two classes. The weekday keys say which slots each phase keeps.
_PHASE_SLOTS: tuple[dict[str, tuple[int, ...]], ...] = (
    {"morning": (0, 1, 2, 3, 4), "afternoon": (0, 2, 4)},
    {"morning": (0, 2, 4), "afternoon": (2,)},
    {"morning": (1, 3), "afternoon": (0, 4)},
)


@dataclass
class SyntheticProgram:
    """What a program's history is planned from: its schedule and its phases' slots."""

    id: uuid.UUID
    zone: ZoneInfo
    slots: list[SlotSpec]
    phase_ids: list[uuid.UUID]
    slots_by_phase: dict[uuid.UUID, frozenset[uuid.UUID]]


def create_program(db: Session, number: int, size: int, token: str) -> SyntheticProgram:
    """Program `number` of the clinic tagged `token`, with room for `size` enrollments."""
    facilitator_id = uuid.uuid4()
    bulk_insert(db, User, [_facilitator_row(facilitator_id, number, token)])
    program_id = uuid.uuid4()
    timezone = "America/Chicago" if number % 2 else "America/New_York"
    bulk_insert(db, Program, [_program_row(program_id, number, size, token, timezone)])
    slots = _slots(facilitator_id)
    bulk_insert(db, Slot, [_slot_row(program_id, slot) for slot in slots.values()])
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
    return SyntheticProgram(
        program_id, ZoneInfo(timezone), list(slots.values()), phase_ids, slots_by_phase
    )


def _facilitator_row(facilitator_id: uuid.UUID, number: int, token: str) -> Row:
    return {
        "id": facilitator_id,
        "email": f"facilitator-{token}-{number}@synthetic.example",
        "full_name": f"Facilitator {number}",
        "role": Role.clinician,
        "password_hash": UNUSABLE_PASSWORD,
    }


def _program_row(program_id: uuid.UUID, number: int, size: int, token: str, timezone: str) -> Row:
    return {
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


def _slots(facilitator_id: uuid.UUID) -> dict[tuple[str, int], SlotSpec]:
    """The mornings' process group and the afternoons' class, on the weekdays some phase
    attends them, by part of the day and weekday."""
    slots: dict[tuple[str, int], SlotSpec] = {}
    for part, (start, end) in (("morning", _MORNING), ("afternoon", _AFTERNOON)):
        morning = part == "morning"
        for weekday in sorted({d for phase in _PHASE_SLOTS for d in phase[part]}):
            slots[(part, weekday)] = SlotSpec(
                id=uuid.uuid4(),
                weekday=weekday,
                start_time=start,
                end_time=end,
                session_type=SessionType.group_therapy if morning else SessionType.education,
                title="Process group" if morning else "Recovery education",
                facilitator_id=facilitator_id,
                room="Group room" if morning else "Classroom",
            )
    return slots


def _slot_row(program_id: uuid.UUID, slot: SlotSpec) -> Row:
    return {
        "id": slot.id,
        "program_id": program_id,
        "weekday": slot.weekday,
        "start_time": slot.start_time,
        "end_time": slot.end_time,
        "session_type": slot.session_type,
        "title": slot.title,
        "facilitator_id": slot.facilitator_id,
        "room": slot.room,
        "capacity": None,
    }
