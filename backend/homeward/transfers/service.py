"""Transfers as partners send and follow them: create, read, cancel, documents, messages.

A partner only ever reaches its own transfers: another partner's id answers 404, the
same as an id that does not exist.
"""

import hashlib
import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.errors import InvalidInput
from homeward.pagination import PageParams, page_of
from homeward.programs.models import Program
from homeward.screening.service import screen
from homeward.transfers.events import announce
from homeward.transfers.exceptions import (
    DocumentNotPdf,
    DocumentTooLarge,
    TransferClosed,
    TransferNotFound,
)
from homeward.transfers.models import (
    MAX_DOCUMENT_BYTES,
    OPEN_STATUSES,
    DocumentKind,
    MessageAuthor,
    Transfer,
    TransferDocument,
    TransferMessage,
    TransferStatus,
)
from homeward.transfers.schemas import MessageCreate, TransferCreate

PDF_MAGIC = b"%PDF-"


def _check_dates(data: TransferCreate, today: date) -> None:
    discharge, consent = data.discharge, data.consent
    if discharge.discharged_on > today:
        raise InvalidInput.at(["body", "discharge", "discharged_on"], "is in the future")
    if data.resident.date_of_birth >= today:
        raise InvalidInput.at(["body", "resident", "date_of_birth"], "is not in the past")
    detox_on = discharge.detox_completed_on
    if discharge.detox_completed and detox_on is None:
        raise InvalidInput.at(
            ["body", "discharge", "detox_completed_on"], "is required when detox_completed"
        )
    if detox_on is not None and detox_on > today:
        raise InvalidInput.at(["body", "discharge", "detox_completed_on"], "is in the future")
    if consent.signed_on > today:
        raise InvalidInput.at(["body", "consent", "signed_on"], "is in the future")
    if consent.expires_on is not None and consent.expires_on < consent.signed_on:
        raise InvalidInput.at(["body", "consent", "expires_on"], "is before signed_on")


def _check_program(db: Session, program_id: uuid.UUID | None) -> None:
    if program_id is None:
        return
    program = db.get(Program, program_id)
    if program is None or program.archived or not program.accepts_step_down:
        raise InvalidInput.at(
            ["body", "requested_program_id"],
            "not a program of the catalog (GET /partner/programs)",
        )


def create_transfer(
    db: Session, actor: Actor, partner_id: uuid.UUID, data: TransferCreate
) -> Transfer:
    _check_dates(data, clock.now().date())
    _check_program(db, data.requested_program_id)
    resident = data.resident
    transfer = Transfer(
        partner_id=partner_id,
        status=TransferStatus.received,
        resident=resident.model_dump(mode="json"),
        resident_reference=resident.partner_resident_id,
        given_name=resident.given_name,
        family_name=resident.family_name,
        date_of_birth=resident.date_of_birth,
        discharge=data.discharge.model_dump(mode="json"),
        requested_program_id=data.requested_program_id,
        preferred_start_date=data.preferred_start_date,
        screening=data.screening.model_dump(mode="json") if data.screening else None,
        screening_outcome=screen(data.screening).outcome.value if data.screening else None,
        consent=data.consent.model_dump(mode="json"),
        partner_contact=data.partner_contact.model_dump(mode="json"),
    )
    db.add(transfer)
    db.flush()
    record(db, actor, "transfer.create", "transfer", transfer.id)
    announce(db, transfer, "transfer.received")
    return transfer


def partner_transfer(db: Session, partner_id: uuid.UUID, transfer_id: uuid.UUID) -> Transfer:
    """The partner's own transfer, or 404 (another partner's included)."""
    transfer = db.get(Transfer, transfer_id)
    if transfer is None or transfer.partner_id != partner_id:
        raise TransferNotFound()
    return transfer


def list_partner_transfers(
    db: Session,
    partner_id: uuid.UUID,
    params: PageParams,
    statuses: list[TransferStatus] | None = None,
) -> tuple[list[Transfer], str | None]:
    """The partner's transfers, newest first."""
    statement = select(Transfer).where(Transfer.partner_id == partner_id)
    if statuses:
        statement = statement.where(Transfer.status.in_(statuses))
    return page_of(db, statement, [Transfer.created_at, Transfer.id], params, descending=True)


def cancel_transfer(db: Session, actor: Actor, transfer: Transfer) -> Transfer:
    if transfer.status not in OPEN_STATUSES:
        raise TransferClosed("cancel", transfer.status)
    transfer.status = TransferStatus.cancelled
    db.flush()
    record(db, actor, "transfer.cancel", "transfer", transfer.id)
    return transfer


def add_document(
    db: Session,
    actor: Actor,
    transfer: Transfer,
    kind: DocumentKind,
    filename: str,
    content: bytes,
) -> TransferDocument:
    """A PDF, known by its content (the `%PDF-` signature), not by its name or header."""
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(f"Documents are limited to {MAX_DOCUMENT_BYTES} bytes (10 MiB)")
    if not content.startswith(PDF_MAGIC):
        raise DocumentNotPdf("The content is not a PDF file; only PDFs are accepted")
    if transfer.status is TransferStatus.cancelled:
        raise TransferClosed("add a document to", transfer.status)
    document = TransferDocument(
        transfer_id=transfer.id,
        kind=kind,
        filename=filename,
        content_type="application/pdf",
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    db.add(document)
    db.flush()
    record(db, actor, "transfer.document.add", "transfer", transfer.id, detail={"kind": kind})
    return document


def messages(db: Session, transfer: Transfer) -> list[TransferMessage]:
    return list(
        db.scalars(
            select(TransferMessage)
            .where(TransferMessage.transfer_id == transfer.id)
            .order_by(TransferMessage.created_at, TransferMessage.id)
        )
    )


def add_partner_message(
    db: Session, actor: Actor, transfer: Transfer, data: MessageCreate
) -> TransferMessage:
    """The partner's message; answering a request for information puts it back in review."""
    if transfer.status is TransferStatus.cancelled:
        raise TransferClosed("message about", transfer.status)
    message = TransferMessage(transfer_id=transfer.id, author=MessageAuthor.partner, body=data.body)
    db.add(message)
    if transfer.status is TransferStatus.info_requested:
        transfer.status = TransferStatus.under_review
    db.flush()
    record(db, actor, "transfer.message.partner", "transfer", transfer.id)
    return message
