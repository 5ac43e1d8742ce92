import uuid
from typing import Annotated

from fastapi import Query, Request, status

from homeward.auth.models import Role
from homeward.db import DbSession
from homeward.deps import SettingsDep, StaffPrincipal, request_actor, require_roles
from homeward.errors import InvalidInput, TooManyRequests, responses
from homeward.http.pagination import Pagination
from homeward.http.routing import api_router
from homeward.inquiries import flows, service
from homeward.inquiries.exceptions import AlreadyConverted, InquiryNotFound
from homeward.inquiries.models import Inquiry, InquiryStatus
from homeward.inquiries.schemas import (
    InquiryConvert,
    InquiryConverted,
    InquiryCreate,
    InquiryRead,
    InquiryReceived,
    InquiryUpdate,
)
from homeward.pagination import Page
from homeward.screening.schemas import ScreeningQuestion
from homeward.screening.service import QUESTIONS

router = api_router(prefix="/inquiries", tags=["inquiries"])
public_router = api_router(prefix="/public", tags=["public"])

IntakeStaff = Annotated[StaffPrincipal, require_roles(Role.admin, Role.intake)]


@public_router.get("/screening-questions", response_model=list[ScreeningQuestion])
def screening_questions() -> tuple[ScreeningQuestion, ...]:
    """The self-check's five questions and their answer options (no sign-in)."""
    return QUESTIONS


@public_router.post(
    "/inquiries",
    response_model=InquiryReceived,
    status_code=status.HTTP_201_CREATED,
    responses=responses(TooManyRequests),
)
def submit_inquiry(
    body: InquiryCreate, request: Request, db: DbSession, settings: SettingsDep
) -> InquiryReceived:
    """Ask for help (no sign-in): the answer is the self-check's outcome and what happens next.

    Limited per address; past the limit, 429 with `Retry-After`.
    """
    actor = request_actor(request)
    service.check_rate(
        db, settings.secret_key, actor.ip or "unknown", settings.public_rate_limit_per_minute
    )
    return service.submit_inquiry(db, actor, body)


@router.get("", response_model=Page[InquiryRead])
def list_inquiries(
    staff: IntakeStaff,
    db: DbSession,
    page: Pagination,
    inquiry_status: Annotated[InquiryStatus | None, Query(alias="status")] = None,
) -> Page[InquiryRead]:
    """The intake inbox, newest first."""
    return service.list_inquiries(db, staff.actor, page, inquiry_status)


@router.get("/{inquiry_id}", response_model=InquiryRead, responses=responses(InquiryNotFound))
def get_inquiry(inquiry_id: uuid.UUID, staff: IntakeStaff, db: DbSession) -> Inquiry:
    return service.get_inquiry(db, staff.actor, inquiry_id)


@router.patch(
    "/{inquiry_id}", response_model=InquiryRead, responses=responses(InquiryNotFound, InvalidInput)
)
def update_inquiry(
    inquiry_id: uuid.UUID, body: InquiryUpdate, staff: IntakeStaff, db: DbSession
) -> Inquiry:
    """Set its status (`new`, `contacted`, `closed`; `converted` comes with /convert) and notes."""
    return service.update_inquiry(db, staff.actor, inquiry_id, body)


@router.post(
    "/{inquiry_id}/convert",
    response_model=InquiryConverted,
    status_code=status.HTTP_201_CREATED,
    responses=responses(InquiryNotFound, AlreadyConverted, InvalidInput),
)
def convert_inquiry(
    inquiry_id: uuid.UUID, body: InquiryConvert, staff: IntakeStaff, db: DbSession
) -> InquiryConverted:
    """Create the patient and, with `program_id`, a pending enrollment."""
    return flows.convert_inquiry(db, staff.actor, inquiry_id, body)
