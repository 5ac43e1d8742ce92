import uuid
from typing import Annotated

from fastapi import Header, Response, status

from homeward.db import DbSession
from homeward.deps import AdminOnly, CurrentPartner, CurrentStaff
from homeward.errors import InvalidInput, PreconditionFailed, PreconditionRequired, responses
from homeward.etag import etag_for
from homeward.http.pagination import Pagination
from homeward.http.routing import api_router
from homeward.pagination import Page
from homeward.programs import service
from homeward.programs.exceptions import (
    FacilitatorDoubleBooked,
    PhaseInUse,
    PhaseNotFound,
    ProgramNotFound,
    SlotNotFound,
)
from homeward.programs.models import Phase, Program, Slot
from homeward.programs.schemas import (
    PhaseCreate,
    PhaseRead,
    PhaseUpdate,
    ProgramCreate,
    ProgramDetail,
    ProgramRead,
    ProgramUpdate,
    SlotCreate,
    SlotRead,
    SlotUpdate,
)
from homeward.transfers import catalog
from homeward.transfers.catalog import CatalogProgram

router = api_router(prefix="/programs", tags=["programs"])
partner_api_router = api_router(tags=["partner-api"])


@router.get("", response_model=Page[ProgramRead])
def list_programs(
    _: CurrentStaff, db: DbSession, page: Pagination, include_archived: bool = False
) -> Page[ProgramRead]:
    return service.list_programs(db, page, include_archived=include_archived)


@router.post("", response_model=ProgramDetail, status_code=status.HTTP_201_CREATED)
def create_program(
    body: ProgramCreate, admin: AdminOnly, db: DbSession, response: Response
) -> Program:
    program = service.create_program(db, admin.actor, body)
    response.headers["ETag"] = etag_for(program.version)
    return program


@router.get("/{program_id}", response_model=ProgramDetail, responses=responses(ProgramNotFound))
def get_program(
    program_id: uuid.UUID, _: CurrentStaff, db: DbSession, response: Response
) -> Program:
    """The program with its slots and phases. The `ETag` goes back as `If-Match` on PATCH."""
    program = service.get_program(db, program_id)
    response.headers["ETag"] = etag_for(program.version)
    return program


@router.patch(
    "/{program_id}",
    response_model=ProgramDetail,
    responses=responses(ProgramNotFound, PreconditionFailed, PreconditionRequired),
)
def update_program(
    program_id: uuid.UUID,
    body: ProgramUpdate,
    admin: AdminOnly,
    db: DbSession,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> Program:
    program = service.update_program(db, admin.actor, program_id, body, if_match)
    response.headers["ETag"] = etag_for(program.version)
    return program


@router.get(
    "/{program_id}/slots", response_model=list[SlotRead], responses=responses(ProgramNotFound)
)
def list_slots(program_id: uuid.UUID, _: CurrentStaff, db: DbSession) -> list[Slot]:
    return service.list_slots(db, program_id)


@router.post(
    "/{program_id}/slots",
    response_model=SlotRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(ProgramNotFound, FacilitatorDoubleBooked),
)
def create_slot(program_id: uuid.UUID, body: SlotCreate, admin: AdminOnly, db: DbSession) -> Slot:
    return service.create_slot(db, admin.actor, program_id, body)


@router.patch(
    "/{program_id}/slots/{slot_id}",
    response_model=SlotRead,
    responses=responses(SlotNotFound, FacilitatorDoubleBooked),
)
def update_slot(
    program_id: uuid.UUID, slot_id: uuid.UUID, body: SlotUpdate, admin: AdminOnly, db: DbSession
) -> Slot:
    return service.update_slot(db, admin.actor, program_id, slot_id, body)


@router.delete(
    "/{program_id}/slots/{slot_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(SlotNotFound),
)
def delete_slot(program_id: uuid.UUID, slot_id: uuid.UUID, admin: AdminOnly, db: DbSession) -> None:
    service.delete_slot(db, admin.actor, program_id, slot_id)


@router.get(
    "/{program_id}/phases", response_model=list[PhaseRead], responses=responses(ProgramNotFound)
)
def list_phases(program_id: uuid.UUID, _: CurrentStaff, db: DbSession) -> list[Phase]:
    return service.list_phases(db, program_id)


@router.post(
    "/{program_id}/phases",
    response_model=PhaseRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(ProgramNotFound, InvalidInput),
)
def create_phase(
    program_id: uuid.UUID, body: PhaseCreate, admin: AdminOnly, db: DbSession
) -> Phase:
    return service.create_phase(db, admin.actor, program_id, body)


@router.patch(
    "/{program_id}/phases/{phase_id}",
    response_model=PhaseRead,
    responses=responses(PhaseNotFound, InvalidInput),
)
def update_phase(
    program_id: uuid.UUID, phase_id: uuid.UUID, body: PhaseUpdate, admin: AdminOnly, db: DbSession
) -> Phase:
    return service.update_phase(db, admin.actor, program_id, phase_id, body)


@router.delete(
    "/{program_id}/phases/{phase_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PhaseNotFound, PhaseInUse),
)
def delete_phase(
    program_id: uuid.UUID, phase_id: uuid.UUID, admin: AdminOnly, db: DbSession
) -> None:
    service.delete_phase(db, admin.actor, program_id, phase_id)


@partner_api_router.get("/programs", response_model=list[CatalogProgram])
def partner_catalog(_: CurrentPartner, db: DbSession) -> list[CatalogProgram]:
    """Programs open to transfers: not archived, and accepting step-down clients, each
    with its schedule (days, hours per week by phase) and openings."""
    return catalog.partner_catalog(db)
