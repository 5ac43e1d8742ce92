"""Programs, their weekly slots and their ordered phases."""

import uuid
from datetime import time

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from homeward.audit.service import Actor, record
from homeward.auth.models import CLINICAL_ROLES, NOT_CLINICAL, User
from homeward.enrollments.models import Enrollment, PhaseChange
from homeward.errors import InvalidInput, PreconditionFailed
from homeward.etag import check_if_match
from homeward.pagination import Page, PageParams, paginate
from homeward.programs.exceptions import (
    FacilitatorDoubleBooked,
    PhaseInUse,
    PhaseNotFound,
    ProgramNotFound,
    SlotNotFound,
)
from homeward.programs.levels import ASAM_EDITION
from homeward.programs.models import Phase, Program, Slot
from homeward.programs.schemas import (
    PhaseCreate,
    PhaseUpdate,
    ProgramCreate,
    ProgramRead,
    ProgramUpdate,
    SlotCreate,
    SlotUpdate,
)


def _detail_query() -> Select[Program]:
    return select(Program).options(
        selectinload(Program.slots),
        selectinload(Program.phases).selectinload(Phase.slots),
    )


def list_programs(
    db: Session, params: PageParams, *, include_archived: bool = False
) -> Page[ProgramRead]:
    statement = select(Program)
    if not include_archived:
        statement = statement.where(Program.archived.is_(False))
    return paginate(db, statement, [Program.name, Program.id], params, read_as=ProgramRead)


def get_program(db: Session, program_id: uuid.UUID) -> Program:
    program = db.scalar(_detail_query().where(Program.id == program_id))
    if program is None:
        raise ProgramNotFound()
    return program


def create_program(db: Session, actor: Actor, data: ProgramCreate) -> Program:
    program = Program(**data.model_dump(), level_of_care_edition=ASAM_EDITION)
    db.add(program)
    db.flush()
    record(db, actor, "program.create", "program", program.id)
    return get_program(db, program.id)


def update_program(
    db: Session, actor: Actor, program_id: uuid.UUID, data: ProgramUpdate, if_match: str | None
) -> Program:
    program = get_program(db, program_id)
    check_if_match(if_match, program.version)
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    # Explicit nulls clear the hour-band overrides; other fields ignore null.
    for field in ("min_hours_per_week", "max_hours_per_week"):
        if field in data.model_fields_set:
            changes[field] = getattr(data, field)
    low = changes.get("min_hours_per_week", program.min_hours_per_week)
    high = changes.get("max_hours_per_week", program.max_hours_per_week)
    if low is not None and high is not None and high <= low:
        raise InvalidInput.at(
            ["body", "max_hours_per_week"], "max_hours_per_week must be above min_hours_per_week"
        )
    for field, value in changes.items():
        setattr(program, field, value)
    try:
        db.flush()
    except StaleDataError as error:
        raise PreconditionFailed("Someone else changed this program meanwhile") from error
    record(db, actor, "program.update", "program", program.id, detail={"changed": sorted(changes)})
    return program


# Slots


def list_slots(db: Session, program_id: uuid.UUID) -> list[Slot]:
    return get_program(db, program_id).slots


def _get_slot(db: Session, program_id: uuid.UUID, slot_id: uuid.UUID) -> Slot:
    slot = db.get(Slot, slot_id)
    if slot is None or slot.program_id != program_id:
        raise SlotNotFound()
    return slot


def _check_facilitator(
    db: Session,
    facilitator_id: uuid.UUID | None,
    weekday: int,
    start: time,
    end: time,
    exclude_slot_id: uuid.UUID | None = None,
) -> None:
    if facilitator_id is None:
        return
    facilitator = db.get(User, facilitator_id)
    if facilitator is None:
        raise InvalidInput.at(["body", "facilitator_id"], "no staff user with this id")
    if facilitator.role not in CLINICAL_ROLES:
        raise InvalidInput.at(["body", "facilitator_id"], NOT_CLINICAL)
    overlapping = (
        select(Slot)
        .join(Program)
        .where(
            Slot.facilitator_id == facilitator_id,
            Slot.weekday == weekday,
            Slot.start_time < end,
            Slot.end_time > start,
            Program.archived.is_(False),
        )
    )
    if exclude_slot_id is not None:
        overlapping = overlapping.where(Slot.id != exclude_slot_id)
    clash = db.scalar(overlapping.limit(1))
    if clash is not None:
        raise FacilitatorDoubleBooked(
            f"Already facilitating {clash.title!r} from {clash.start_time:%H:%M} "
            f"to {clash.end_time:%H:%M} that day"
        )


def create_slot(db: Session, actor: Actor, program_id: uuid.UUID, data: SlotCreate) -> Slot:
    program = get_program(db, program_id)
    _check_facilitator(db, data.facilitator_id, data.weekday, data.start_time, data.end_time)
    slot = Slot(program_id=program.id, **data.model_dump())
    db.add(slot)
    db.flush()
    record(db, actor, "slot.create", "slot", slot.id, detail={"program_id": str(program.id)})
    return slot


def update_slot(
    db: Session, actor: Actor, program_id: uuid.UUID, slot_id: uuid.UUID, data: SlotUpdate
) -> Slot:
    slot = _get_slot(db, program_id, slot_id)
    changes = data.model_dump(exclude_unset=True)
    for field in ("weekday", "start_time", "end_time", "session_type", "title"):
        if field in changes and changes[field] is None:
            raise InvalidInput.at(["body", field], f"{field} cannot be null")
    start = changes.get("start_time", slot.start_time)
    end = changes.get("end_time", slot.end_time)
    if end <= start:
        raise InvalidInput.at(["body", "end_time"], "end_time must be after start_time")
    _check_facilitator(
        db,
        changes.get("facilitator_id", slot.facilitator_id),
        changes.get("weekday", slot.weekday),
        start,
        end,
        exclude_slot_id=slot.id,
    )
    for field, value in changes.items():
        setattr(slot, field, value)
    db.flush()
    record(db, actor, "slot.update", "slot", slot.id, detail={"changed": sorted(changes)})
    return slot


def delete_slot(db: Session, actor: Actor, program_id: uuid.UUID, slot_id: uuid.UUID) -> None:
    slot = _get_slot(db, program_id, slot_id)
    db.delete(slot)
    db.flush()
    record(db, actor, "slot.delete", "slot", slot_id, detail={"program_id": str(program_id)})


# Phases


def list_phases(db: Session, program_id: uuid.UUID) -> list[Phase]:
    return get_program(db, program_id).phases


def _get_phase(program: Program, phase_id: uuid.UUID) -> Phase:
    for phase in program.phases:
        if phase.id == phase_id:
            return phase
    raise PhaseNotFound()


def _program_slots(program: Program, slot_ids: list[uuid.UUID]) -> list[Slot]:
    by_id = {slot.id: slot for slot in program.slots}
    for index, slot_id in enumerate(slot_ids):
        if slot_id not in by_id:
            raise InvalidInput.at(["body", "slot_ids", index], "not a slot of this program")
    return [by_id[slot_id] for slot_id in dict.fromkeys(slot_ids)]


def _place(program: Program, phase: Phase, position: int | None) -> None:
    """Put `phase` at 1-based `position` (the end when None) and renumber the rest."""
    others = [p for p in program.phases if p is not phase]
    index = len(others) if position is None else min(position - 1, len(others))
    others.insert(index, phase)
    for number, each in enumerate(others, start=1):
        each.order = number


def create_phase(db: Session, actor: Actor, program_id: uuid.UUID, data: PhaseCreate) -> Phase:
    program = get_program(db, program_id)
    phase = Phase(
        program=program,
        name=data.name,
        order=0,
        individual_sessions_per_week=data.individual_sessions_per_week,
        min_days=data.min_days,
        slots=_program_slots(program, data.slot_ids),
    )
    db.add(phase)
    _place(program, phase, data.order)
    db.flush()
    record(db, actor, "phase.create", "phase", phase.id, detail={"program_id": str(program.id)})
    return phase


def update_phase(
    db: Session, actor: Actor, program_id: uuid.UUID, phase_id: uuid.UUID, data: PhaseUpdate
) -> Phase:
    program = get_program(db, program_id)
    phase = _get_phase(program, phase_id)
    changes = data.model_dump(exclude_unset=True)
    for field in ("name", "order", "slot_ids", "individual_sessions_per_week", "min_days"):
        if field in changes and changes[field] is None:
            raise InvalidInput.at(["body", field], f"{field} cannot be null")
    if "slot_ids" in changes:
        phase.slots = _program_slots(program, changes.pop("slot_ids"))
    if "order" in changes:
        _place(program, phase, changes.pop("order"))
    for field, value in changes.items():
        setattr(phase, field, value)
    db.flush()
    record(
        db,
        actor,
        "phase.update",
        "phase",
        phase.id,
        detail={"changed": sorted(data.model_fields_set)},
    )
    return phase


def _check_phase_unused(db: Session, phase: Phase) -> None:
    """A phase that anyone is in, or has been in, is part of their history: keep it."""
    current = select(Enrollment.id).where(Enrollment.current_phase_id == phase.id)
    history = select(PhaseChange.id).where(
        or_(PhaseChange.to_phase_id == phase.id, PhaseChange.from_phase_id == phase.id)
    )
    if db.scalar(select(exists(current))) or db.scalar(select(exists(history))):
        raise PhaseInUse(f"{phase.name} is or was some enrollment's phase; rename it instead")


def delete_phase(db: Session, actor: Actor, program_id: uuid.UUID, phase_id: uuid.UUID) -> None:
    program = get_program(db, program_id)
    phase = _get_phase(program, phase_id)
    _check_phase_unused(db, phase)
    program.phases.remove(phase)
    for number, each in enumerate(program.phases, start=1):
        each.order = number
    db.flush()
    record(db, actor, "phase.delete", "phase", phase_id, detail={"program_id": str(program_id)})


def catalog(db: Session) -> list[Program]:
    return list(
        db.scalars(
            select(Program)
            .where(Program.archived.is_(False), Program.accepts_step_down.is_(True))
            .order_by(Program.name, Program.id)
        )
    )
