"""Intake's side of transfers: the inbox, a transfer's detail, and the decisions."""

import uuid
from typing import Annotated

from fastapi import Query, Response

from homeward.auth.models import Role
from homeward.db import DbSession
from homeward.deps import StaffPrincipal, require_roles
from homeward.enrollments.exceptions import AlreadyEnrolled
from homeward.errors import InvalidInput, responses
from homeward.http.pagination import Pagination
from homeward.http.routing import api_router
from homeward.pagination import Page
from homeward.transfers import flows, review
from homeward.transfers.exceptions import DocumentNotFound, TransferClosed, TransferNotFound
from homeward.transfers.models import TransferStatus
from homeward.transfers.schemas import (
    AcceptRequest,
    DeclineRequest,
    MessageCreate,
    MessageRead,
    RequestInfo,
    StaffTransferDetail,
    StaffTransferRead,
    WaitlistRequest,
)

router = api_router(prefix="/transfers", tags=["transfers"])

TransferReader = Annotated[
    StaffPrincipal, require_roles(Role.admin, Role.intake, Role.clinician, Role.medical)
]
IntakeStaff = Annotated[StaffPrincipal, require_roles(Role.admin, Role.intake)]
_ACTION_ERRORS = responses(TransferNotFound, TransferClosed, InvalidInput)


def _read(db: DbSession, transfer_id: uuid.UUID) -> StaffTransferRead:
    rows = review.staff_reads(db, [review.require_transfer(db, transfer_id)])
    return rows[0]


@router.get("", response_model=Page[StaffTransferRead], responses=responses(InvalidInput))
def list_transfers(
    staff: TransferReader,
    db: DbSession,
    page: Pagination,
    status: Annotated[list[TransferStatus] | None, Query()] = None,
) -> Page[StaffTransferRead]:
    """Oldest first, so that whoever has waited longest is answered first."""
    items, cursor = review.list_transfers(db, staff.actor, page, status)
    return Page[StaffTransferRead](items=items, next_cursor=cursor)


@router.get(
    "/{transfer_id}", response_model=StaffTransferDetail, responses=responses(TransferNotFound)
)
def get_transfer(
    transfer_id: uuid.UUID, staff: TransferReader, db: DbSession
) -> StaffTransferDetail:
    """With the screening outcome, possible duplicate patients, the requested program's
    openings, the documents and the messages."""
    return review.transfer_detail(db, staff.actor, transfer_id)


@router.post(
    "/{transfer_id}/accept",
    response_model=StaffTransferRead,
    responses={**_ACTION_ERRORS, **responses(AlreadyEnrolled)},
)
def accept(
    transfer_id: uuid.UUID, body: AcceptRequest, staff: IntakeStaff, db: DbSession
) -> StaffTransferRead:
    """Create or link the patient, record the consent, and create a pending enrollment."""
    flows.accept(db, staff.actor, transfer_id, body)
    return _read(db, transfer_id)


@router.post("/{transfer_id}/waitlist", response_model=StaffTransferRead, responses=_ACTION_ERRORS)
def waitlist(
    transfer_id: uuid.UUID, body: WaitlistRequest, staff: IntakeStaff, db: DbSession
) -> StaffTransferRead:
    review.waitlist(db, staff.actor, review.require_transfer(db, transfer_id), body)
    return _read(db, transfer_id)


@router.post("/{transfer_id}/decline", response_model=StaffTransferRead, responses=_ACTION_ERRORS)
def decline(
    transfer_id: uuid.UUID, body: DeclineRequest, staff: IntakeStaff, db: DbSession
) -> StaffTransferRead:
    review.decline(db, staff.actor, review.require_transfer(db, transfer_id), body)
    return _read(db, transfer_id)


@router.post(
    "/{transfer_id}/request-info", response_model=StaffTransferRead, responses=_ACTION_ERRORS
)
def request_info(
    transfer_id: uuid.UUID, body: RequestInfo, staff: IntakeStaff, db: DbSession
) -> StaffTransferRead:
    """Ask the partner for what is missing; the transfer waits in `info_requested`."""
    review.request_info(db, staff.actor, review.require_transfer(db, transfer_id), body)
    return _read(db, transfer_id)


@router.get(
    "/{transfer_id}/messages",
    response_model=list[MessageRead],
    responses=responses(TransferNotFound),
)
def list_messages(
    transfer_id: uuid.UUID, staff: TransferReader, db: DbSession
) -> list[MessageRead]:
    transfer = review.require_transfer(db, transfer_id)
    return [MessageRead.model_validate(m) for m in review.messages(db, transfer)]


@router.post(
    "/{transfer_id}/messages",
    response_model=MessageRead,
    status_code=201,
    responses=responses(TransferNotFound, TransferClosed),
)
def add_message(
    transfer_id: uuid.UUID, body: MessageCreate, staff: IntakeStaff, db: DbSession
) -> MessageRead:
    """A message to the partner; on a transfer nobody has answered yet, it starts the review."""
    message = review.add_staff_message(
        db, staff.actor, review.require_transfer(db, transfer_id), body
    )
    return MessageRead.model_validate(message)


@router.get(
    "/{transfer_id}/documents/{document_id}",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
        **responses(DocumentNotFound),
    },
)
def download_document(
    transfer_id: uuid.UUID, document_id: uuid.UUID, staff: TransferReader, db: DbSession
) -> Response:
    """The PDF, as an attachment (never shown inline)."""
    document = review.document_content(db, staff.actor, transfer_id, document_id)
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in document.filename)
    return Response(
        document.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{safe_name or "document.pdf"}"',
        },
    )
