"""The partner API's transfers: `/partner/transfers`, for the partner's API key only.

Every POST takes an `Idempotency-Key` (required): a retry with the same key and body
replays the first response instead of acting twice.
"""

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request, Response, status

from homeward.db import DbSession
from homeward.deps import CurrentPartner, PartnerPrincipal
from homeward.errors import InvalidInput, responses
from homeward.fields import Text
from homeward.http.pagination import Pagination
from homeward.http.routing import api_router
from homeward.idempotency.http import (
    REQUIRED_ERRORS,
    RequiredIdempotencyKey,
    idempotent,
    json_response,
    require_key,
)
from homeward.pagination import Page
from homeward.transfers import partner_view, service
from homeward.transfers.exceptions import (
    DocumentNotPdf,
    DocumentTooLarge,
    TransferClosed,
    TransferNotFound,
)
from homeward.transfers.models import DocumentKind, Transfer, TransferStatus
from homeward.transfers.schemas import (
    DocumentRead,
    MessageCreate,
    MessageRead,
    PartnerTransferRead,
    TransferCreate,
)

router = api_router(prefix="/transfers", tags=["partner-api"])

_PDF_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _owner(partner: PartnerPrincipal) -> str:
    return f"partner:{partner.partner.id}"


def _view(db: DbSession, partner: PartnerPrincipal, transfer: Transfer) -> PartnerTransferRead:
    views = partner_view.partner_views(db, partner.partner.id, [transfer], partner.actor.request_id)
    return views[0]


@router.post(
    "",
    response_model=PartnerTransferRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(*REQUIRED_ERRORS, InvalidInput),
)
def create_transfer(
    body: TransferCreate,
    partner: CurrentPartner,
    db: DbSession,
    request: Request,
    idempotency_key: RequiredIdempotencyKey = None,
) -> Response:
    """Send a resident you discharged; it starts `received`. Requires `Idempotency-Key`."""

    def run() -> Response:
        transfer = service.create_transfer(db, partner.actor, partner.partner.id, body)
        location = f"{request.url.path}/{transfer.id}"
        return json_response(_view(db, partner, transfer), 201, {"Location": location})

    return idempotent(
        db, request, owner=_owner(partner), key=require_key(idempotency_key), body=body, run=run
    )


@router.get("", response_model=Page[PartnerTransferRead], responses=responses(InvalidInput))
def list_transfers(
    partner: CurrentPartner,
    db: DbSession,
    page: Pagination,
    status: Annotated[list[TransferStatus] | None, Query()] = None,
) -> Page[PartnerTransferRead]:
    """Your transfers, newest first."""
    rows, cursor = service.list_partner_transfers(db, partner.partner.id, page, status)
    items = partner_view.partner_views(db, partner.partner.id, rows, partner.actor.request_id)
    return Page[PartnerTransferRead](items=items, next_cursor=cursor)


@router.get(
    "/{transfer_id}", response_model=PartnerTransferRead, responses=responses(TransferNotFound)
)
def get_transfer(
    transfer_id: uuid.UUID, partner: CurrentPartner, db: DbSession
) -> PartnerTransferRead:
    transfer = service.partner_transfer(db, partner.partner.id, transfer_id)
    return _view(db, partner, transfer)


@router.post(
    "/{transfer_id}/cancel",
    response_model=PartnerTransferRead,
    responses=responses(TransferNotFound, TransferClosed, *REQUIRED_ERRORS),
)
def cancel_transfer(
    transfer_id: uuid.UUID,
    partner: CurrentPartner,
    db: DbSession,
    request: Request,
    idempotency_key: RequiredIdempotencyKey = None,
) -> Response:
    """Withdraw a transfer that has not been accepted, declined or cancelled yet."""

    def run() -> Response:
        transfer = service.partner_transfer(db, partner.partner.id, transfer_id)
        service.cancel_transfer(db, partner.actor, transfer)
        return json_response(_view(db, partner, transfer), 200)

    return idempotent(
        db, request, owner=_owner(partner), key=require_key(idempotency_key), body=None, run=run
    )


async def _raw_body(request: Request) -> bytes:
    return await request.body()


@router.post(
    "/{transfer_id}/documents",
    response_model=DocumentRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(
        TransferNotFound, TransferClosed, DocumentTooLarge, DocumentNotPdf, *REQUIRED_ERRORS
    ),
    openapi_extra=_PDF_BODY,
)
def add_document(
    transfer_id: uuid.UUID,
    partner: CurrentPartner,
    db: DbSession,
    request: Request,
    content: Annotated[bytes, Depends(_raw_body)],
    kind: Annotated[DocumentKind, Query()],
    filename: Annotated[str, Text(min_length=1, max_length=200), Query()] = "document.pdf",
    idempotency_key: RequiredIdempotencyKey = None,
) -> Response:
    """A discharge summary or medication list: the PDF itself as the body (up to 10 MiB)."""

    def run() -> Response:
        transfer = service.partner_transfer(db, partner.partner.id, transfer_id)
        document = service.add_document(db, partner.actor, transfer, kind, filename, content)
        return json_response(DocumentRead.model_validate(document), 201)

    return idempotent(
        db,
        request,
        owner=_owner(partner),
        key=require_key(idempotency_key),
        body=f"{kind.value}\n{filename}\n".encode() + content,
        run=run,
    )


@router.get(
    "/{transfer_id}/messages",
    response_model=list[MessageRead],
    responses=responses(TransferNotFound),
)
def list_messages(
    transfer_id: uuid.UUID, partner: CurrentPartner, db: DbSession
) -> list[MessageRead]:
    """The thread between you and intake, oldest first."""
    transfer = service.partner_transfer(db, partner.partner.id, transfer_id)
    return [MessageRead.model_validate(m) for m in service.messages(db, transfer)]


@router.post(
    "/{transfer_id}/messages",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(TransferNotFound, TransferClosed, *REQUIRED_ERRORS),
)
def add_message(
    transfer_id: uuid.UUID,
    body: MessageCreate,
    partner: CurrentPartner,
    db: DbSession,
    request: Request,
    idempotency_key: RequiredIdempotencyKey = None,
) -> Response:
    """Write to intake. Answering a request for information puts the transfer back in review."""

    def run() -> Response:
        transfer = service.partner_transfer(db, partner.partner.id, transfer_id)
        message = service.add_partner_message(db, partner.actor, transfer, body)
        return json_response(MessageRead.model_validate(message), 201)

    return idempotent(
        db, request, owner=_owner(partner), key=require_key(idempotency_key), body=body, run=run
    )
