import uuid
from typing import Annotated, Literal

from fastapi import Query, Request, Response, status
from pydantic import TypeAdapter

from homeward.db import DbSession
from homeward.deps import StaffPrincipal, require_roles
from homeward.errors import responses
from homeward.fields import UTCInstant
from homeward.homework import service
from homeward.homework.exceptions import (
    EnrollmentNotActive,
    EnrollmentNotFound,
    HomeworkHandedIn,
    HomeworkNotFound,
    HomeworkNotSubmitted,
    NoAttendees,
)
from homeward.homework.models import (
    Homework,
    HomeworkCategory,
    HomeworkReadStatus,
    HomeworkTemplate,
)
from homeward.homework.schemas import (
    HomeworkCreate,
    HomeworkRead,
    HomeworkReview,
    HomeworkSubmit,
    HomeworkTemplateCreate,
    HomeworkTemplateRead,
    HomeworkUpdate,
)
from homeward.http.pagination import Pagination
from homeward.http.routing import api_router
from homeward.idempotency.http import ERRORS as IDEMPOTENCY_ERRORS
from homeward.idempotency.http import IdempotencyKey, idempotent_model
from homeward.pagination import Page
from homeward.sessions.exceptions import SessionNotFound

router = api_router(tags=["homework"])
_HOMEWORK = TypeAdapter(HomeworkRead)
_HOMEWORK_LIST = TypeAdapter(list[HomeworkRead])

Clinical = Annotated[StaffPrincipal, require_roles("admin", "clinician")]
Readers = Annotated[StaffPrincipal, require_roles("admin", "clinician", "medical")]


@router.get("/homework-templates", response_model=Page[HomeworkTemplateRead])
def list_templates(
    _: Readers,
    db: DbSession,
    page: Pagination,
    category: HomeworkCategory | None = None,
    include_archived: bool = False,
) -> Page[HomeworkTemplateRead]:
    return service.list_templates(db, page, category=category, include_archived=include_archived)


@router.post(
    "/homework-templates",
    response_model=HomeworkTemplateRead,
    status_code=status.HTTP_201_CREATED,
)
def create_template(
    body: HomeworkTemplateCreate, staff: Clinical, db: DbSession
) -> HomeworkTemplate:
    return service.create_template(db, staff.actor, body)


@router.get("/homework", response_model=Page[HomeworkRead])
def list_homework(
    staff: Readers,
    db: DbSession,
    page: Pagination,
    enrollment_id: uuid.UUID | None = None,
    homework_status: Annotated[
        HomeworkReadStatus | None,
        Query(alias="status", description="`missed`: assigned, past due, not handed in"),
    ] = None,
    due_from: Annotated[UTCInstant | None, Query(description="Due at or after")] = None,
    due_to: Annotated[UTCInstant | None, Query(description="Due before")] = None,
    caseload: Annotated[
        Literal["mine"] | None,
        Query(description="`mine`: enrollments whose primary clinician is the caller"),
    ] = None,
) -> Page[HomeworkRead]:
    return service.list_homework(
        db,
        staff.actor,
        page,
        enrollment_id=enrollment_id,
        status=homework_status,
        due_from=due_from,
        due_to=due_to,
        caseload=caseload,
    )


@router.get(
    "/homework/{homework_id}", response_model=HomeworkRead, responses=responses(HomeworkNotFound)
)
def get_homework(homework_id: uuid.UUID, staff: Readers, db: DbSession) -> Homework:
    return service.get_homework(db, staff.actor, homework_id)


@router.post(
    "/enrollments/{enrollment_id}/homework",
    response_model=HomeworkRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(EnrollmentNotFound, EnrollmentNotActive, *IDEMPOTENCY_ERRORS),
)
def assign_to_enrollment(
    enrollment_id: uuid.UUID,
    body: HomeworkCreate,
    staff: Clinical,
    db: DbSession,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Homework | Response:
    return idempotent_model(
        db,
        request,
        actor=staff.actor,
        key=idempotency_key,
        body=body,
        run=lambda: service.assign_to_enrollment(db, staff.actor, enrollment_id, body),
        read_as=_HOMEWORK,
        status_code=201,
    )


@router.post(
    "/sessions/{session_id}/homework",
    response_model=list[HomeworkRead],
    status_code=status.HTTP_201_CREATED,
    responses=responses(SessionNotFound, NoAttendees, *IDEMPOTENCY_ERRORS),
)
def assign_to_attendees(
    session_id: uuid.UUID,
    body: HomeworkCreate,
    staff: Clinical,
    db: DbSession,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> list[Homework] | Response:
    """The same homework for everyone who attended (present, late or left early)."""
    return idempotent_model(
        db,
        request,
        actor=staff.actor,
        key=idempotency_key,
        body=body,
        run=lambda: service.assign_to_attendees(db, staff.actor, session_id, body),
        read_as=_HOMEWORK_LIST,
        status_code=201,
    )


@router.patch(
    "/homework/{homework_id}",
    response_model=HomeworkRead,
    responses=responses(HomeworkNotFound, HomeworkHandedIn),
)
def update_homework(
    homework_id: uuid.UUID, body: HomeworkUpdate, staff: Clinical, db: DbSession
) -> Homework:
    return service.update_homework(db, staff.actor, homework_id, body)


@router.post(
    "/homework/{homework_id}/submit",
    response_model=HomeworkRead,
    responses=responses(HomeworkNotFound, HomeworkHandedIn),
)
def submit_homework(
    homework_id: uuid.UUID, body: HomeworkSubmit, staff: Clinical, db: DbSession
) -> Homework:
    """Record the client's response. After the due time it is accepted and flagged late."""
    return service.submit_homework(db, staff.actor, homework_id, body.response)


@router.post(
    "/homework/{homework_id}/review",
    response_model=HomeworkRead,
    responses=responses(HomeworkNotFound, HomeworkNotSubmitted),
)
def review_homework(
    homework_id: uuid.UUID, body: HomeworkReview, staff: Clinical, db: DbSession
) -> Homework:
    """`accepted` closes it; `needs_revision` sends it back to `assigned`, keeping the feedback."""
    return service.review_homework(db, staff.actor, homework_id, body)
