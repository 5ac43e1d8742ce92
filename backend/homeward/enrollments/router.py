import uuid
from typing import Annotated, TypeVar

from fastapi import Body, Header, Query, Request, Response, status
from pydantic import TypeAdapter

from homeward.auth.models import Role
from homeward.db import DbSession
from homeward.deps import Reads, StaffPrincipal, require_roles
from homeward.enrollments import events, plans, service, timeline
from homeward.enrollments.exceptions import (
    AlreadyEnrolled,
    AtCapacity,
    EnrollmentNotFound,
    IllegalTransition,
    ProgramHasNoPhases,
    SamePhase,
    TreatmentPlanNotFound,
)
from homeward.enrollments.models import ClinicalEvent, Enrollment, EnrollmentStatus, TreatmentPlan
from homeward.enrollments.schemas import (
    AdmitRequest,
    Caseload,
    ChangePhaseRequest,
    CompleteRequest,
    DischargeRequest,
    EnrollmentCreate,
    EnrollmentRead,
    EnrollmentUpdate,
    EventCreate,
    EventRead,
    ExtendRequest,
    PhaseChangeRead,
    StatusNote,
    TimelineItem,
    TreatmentPlanRead,
    TreatmentPlanWrite,
)
from homeward.errors import InvalidInput, PreconditionFailed, PreconditionRequired, responses
from homeward.etag import etag_for
from homeward.http.json_pages import PageWriter
from homeward.http.pagination import Pagination
from homeward.http.routing import api_router
from homeward.idempotency.http import ERRORS as IDEMPOTENCY_ERRORS
from homeward.idempotency.http import IdempotencyKey, idempotent_model
from homeward.pagination import Page
from homeward.tapering import flows as tapering_flows

router = api_router(prefix="/enrollments", tags=["enrollments"])
_EVENT = TypeAdapter(EventRead)

IfMatch = Annotated[str | None, Header()]
Reader = Annotated[
    StaffPrincipal, require_roles(Role.admin, Role.clinician, Role.medical, Role.intake)
]
Admitter = Annotated[StaffPrincipal, require_roles(Role.admin, Role.clinician, Role.intake)]
Manager = Annotated[StaffPrincipal, require_roles(Role.admin, Role.clinician)]
ClinicalReader = Annotated[StaffPrincipal, require_roles(Role.admin, Role.clinician, Role.medical)]
EventWriter = Annotated[StaffPrincipal, require_roles(Role.admin, Role.clinician, Role.medical)]

# Every action may fail on status, on a concurrent change, or on its input.
ACTION_ERRORS = (EnrollmentNotFound, IllegalTransition, PreconditionFailed, InvalidInput)


Tagged = TypeVar("Tagged", Enrollment, EnrollmentRead)
# The list and the single enrollment, written as JSON straight from their rows.
_PAGES = PageWriter(EnrollmentRead)


def _tagged(response: Response, enrollment: Tagged) -> Tagged:
    response.headers["ETag"] = etag_for(enrollment.version)
    return enrollment


@router.get("", response_model=Page[EnrollmentRead])
async def list_enrollments(
    staff: Reader,
    reads: Reads,
    page: Pagination,
    status: Annotated[list[EnrollmentStatus] | None, Query()] = None,
    program_id: uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    caseload: Annotated[
        Caseload | None, Query(description="`mine`: where you are the primary clinician")
    ] = None,
) -> Response:
    """Newest first. Repeat `status` to match any of several."""
    rows, next_cursor = await service.list_enrollments(
        reads,
        staff.actor,
        page,
        statuses=status,
        program_id=program_id,
        patient_id=patient_id,
        caseload=caseload,
    )
    return Response(_PAGES.page(rows, next_cursor), media_type="application/json")


@router.post(
    "",
    response_model=EnrollmentRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(InvalidInput, AlreadyEnrolled),
)
def create_enrollment(
    body: EnrollmentCreate, staff: Admitter, db: DbSession, response: Response
) -> Enrollment:
    """A pending enrollment; `admit` starts it."""
    return _tagged(response, service.create_enrollment(db, staff.actor, body))


@router.get(
    "/{enrollment_id}", response_model=EnrollmentRead, responses=responses(EnrollmentNotFound)
)
async def get_enrollment(enrollment_id: uuid.UUID, staff: Reader, reads: Reads) -> Response:
    """The `ETag` goes back as `If-Match` on PATCH (and, optionally, on actions)."""
    row = await service.get_enrollment(reads, staff.actor, enrollment_id)
    headers = {"ETag": etag_for(row["version"])}
    return Response(_PAGES.item(row), media_type="application/json", headers=headers)


@router.patch(
    "/{enrollment_id}",
    response_model=EnrollmentRead,
    responses=responses(EnrollmentNotFound, InvalidInput, PreconditionFailed, PreconditionRequired),
)
def update_enrollment(
    enrollment_id: uuid.UUID,
    body: EnrollmentUpdate,
    staff: Manager,
    db: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> Enrollment:
    enrollment = service.update_enrollment(db, staff.actor, enrollment_id, body, if_match)
    return _tagged(response, enrollment)


@router.post(
    "/{enrollment_id}/admit",
    response_model=EnrollmentRead,
    responses=responses(*ACTION_ERRORS, AtCapacity, ProgramHasNoPhases),
)
def admit(
    enrollment_id: uuid.UUID,
    staff: Admitter,
    db: DbSession,
    response: Response,
    body: Annotated[AdmitRequest | None, Body()] = None,
    if_match: IfMatch = None,
) -> Enrollment:
    """Start a pending enrollment in the first phase. At capacity this is 409 unless
    `override_capacity` is true (the override is audited)."""
    enrollment = service.admit(db, staff.actor, enrollment_id, body, if_match=if_match)
    return _tagged(response, enrollment)


@router.post(
    "/{enrollment_id}/hold", response_model=EnrollmentRead, responses=responses(*ACTION_ERRORS)
)
def hold(
    enrollment_id: uuid.UUID,
    staff: Manager,
    db: DbSession,
    response: Response,
    body: Annotated[StatusNote | None, Body()] = None,
    if_match: IfMatch = None,
) -> Enrollment:
    enrollment = service.hold(db, staff.actor, enrollment_id, body, if_match=if_match)
    return _tagged(response, enrollment)


@router.post(
    "/{enrollment_id}/resume", response_model=EnrollmentRead, responses=responses(*ACTION_ERRORS)
)
def resume(
    enrollment_id: uuid.UUID,
    staff: Manager,
    db: DbSession,
    response: Response,
    body: Annotated[StatusNote | None, Body()] = None,
    if_match: IfMatch = None,
) -> Enrollment:
    enrollment = service.resume(db, staff.actor, enrollment_id, body, if_match=if_match)
    return _tagged(response, enrollment)


@router.post(
    "/{enrollment_id}/change-phase",
    response_model=EnrollmentRead,
    responses=responses(*ACTION_ERRORS, SamePhase),
)
def change_phase(
    enrollment_id: uuid.UUID,
    body: ChangePhaseRequest,
    staff: Manager,
    db: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> Enrollment:
    """Move to another phase of the program; future sessions' rosters follow at once."""
    enrollment = tapering_flows.change_phase_by_hand(
        db, staff.actor, enrollment_id, body, if_match=if_match
    )
    return _tagged(response, enrollment)


@router.post(
    "/{enrollment_id}/extend", response_model=EnrollmentRead, responses=responses(*ACTION_ERRORS)
)
def extend(
    enrollment_id: uuid.UUID,
    body: ExtendRequest,
    staff: Manager,
    db: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> Enrollment:
    enrollment = service.extend(db, staff.actor, enrollment_id, body, if_match=if_match)
    return _tagged(response, enrollment)


@router.post(
    "/{enrollment_id}/complete",
    response_model=EnrollmentRead,
    responses=responses(*ACTION_ERRORS),
)
def complete(
    enrollment_id: uuid.UUID,
    staff: Manager,
    db: DbSession,
    response: Response,
    body: Annotated[CompleteRequest | None, Body()] = None,
    if_match: IfMatch = None,
) -> Enrollment:
    enrollment = service.complete(db, staff.actor, enrollment_id, body, if_match=if_match)
    return _tagged(response, enrollment)


@router.post(
    "/{enrollment_id}/discharge",
    response_model=EnrollmentRead,
    responses=responses(*ACTION_ERRORS),
)
def discharge(
    enrollment_id: uuid.UUID,
    body: DischargeRequest,
    staff: Manager,
    db: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> Enrollment:
    enrollment = service.discharge(db, staff.actor, enrollment_id, body, if_match=if_match)
    return _tagged(response, enrollment)


@router.get(
    "/{enrollment_id}/phase-history",
    response_model=list[PhaseChangeRead],
    responses=responses(EnrollmentNotFound),
)
def phase_history(enrollment_id: uuid.UUID, staff: Reader, db: DbSession) -> list[PhaseChangeRead]:
    """Every phase move in order, admission first."""
    return service.phase_history(db, staff.actor, enrollment_id)


@router.get(
    "/{enrollment_id}/treatment-plan",
    response_model=TreatmentPlanRead,
    responses=responses(EnrollmentNotFound, TreatmentPlanNotFound),
)
def get_treatment_plan(
    enrollment_id: uuid.UUID, staff: ClinicalReader, db: DbSession, response: Response
) -> TreatmentPlan:
    plan = plans.get_treatment_plan(db, staff.actor, enrollment_id)
    response.headers["ETag"] = etag_for(plan.version)
    return plan


@router.put(
    "/{enrollment_id}/treatment-plan",
    response_model=TreatmentPlanRead,
    responses=responses(EnrollmentNotFound, PreconditionFailed, PreconditionRequired),
)
def put_treatment_plan(
    enrollment_id: uuid.UUID,
    body: TreatmentPlanWrite,
    staff: Manager,
    db: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> TreatmentPlan:
    """Replace the plan. The first PUT needs no `If-Match`; later ones send the ETag."""
    plan = plans.put_treatment_plan(db, staff.actor, enrollment_id, body, if_match)
    response.headers["ETag"] = etag_for(plan.version)
    return plan


@router.get(
    "/{enrollment_id}/events",
    response_model=Page[EventRead],
    responses=responses(EnrollmentNotFound),
)
def list_events(
    enrollment_id: uuid.UUID, staff: ClinicalReader, db: DbSession, page: Pagination
) -> Page[EventRead]:
    """Newest first."""
    return events.list_events(db, staff.actor, enrollment_id, page)


@router.post(
    "/{enrollment_id}/events",
    response_model=EventRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(EnrollmentNotFound, InvalidInput, *IDEMPOTENCY_ERRORS),
)
def record_event(
    enrollment_id: uuid.UUID,
    body: EventCreate,
    staff: EventWriter,
    db: DbSession,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> ClinicalEvent | Response:
    """A relapse, drug screen (with its result), crisis or medical event."""
    return idempotent_model(
        db,
        request,
        actor=staff.actor,
        key=idempotency_key,
        body=body,
        run=lambda: events.record_event(db, staff.actor, enrollment_id, body),
        read_as=_EVENT,
        status_code=201,
    )


@router.get(
    "/{enrollment_id}/timeline",
    response_model=list[TimelineItem],
    responses=responses(EnrollmentNotFound),
)
def get_timeline(
    enrollment_id: uuid.UUID, staff: ClinicalReader, db: DbSession
) -> list[TimelineItem]:
    """Phase and status changes, extensions, events and homework reviews, newest first."""
    return timeline.timeline(db, staff.actor, enrollment_id)
