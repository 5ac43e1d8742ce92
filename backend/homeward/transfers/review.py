"""Transfers as intake works them: the inbox, a transfer's detail, and the decisions.

Each decision records when the transfer was first answered (moved past `received`),
which the intake report measures.
"""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.enrollments.models import OPEN_STATUSES as OPEN_ENROLLMENTS
from homeward.enrollments.models import Enrollment
from homeward.errors import InvalidInput
from homeward.pagination import PageParams, page_of
from homeward.partners.models import Partner
from homeward.patients.models import Patient
from homeward.programs.models import Program
from homeward.transfers.events import announce
from homeward.transfers.exceptions import DocumentNotFound, TransferClosed, TransferNotFound
from homeward.transfers.models import (
    OPEN_STATUSES,
    MessageAuthor,
    Transfer,
    TransferDocument,
    TransferMessage,
    TransferStatus,
)
from homeward.transfers.schemas import (
    DeclineRequest,
    DocumentRead,
    DuplicateCandidate,
    MessageCreate,
    MessageRead,
    ProgramOpenings,
    RequestInfo,
    StaffTransferDetail,
    StaffTransferRead,
    WaitlistRequest,
)

Status = TransferStatus


def require_transfer(db: Session, transfer_id: uuid.UUID) -> Transfer:
    transfer = db.get(Transfer, transfer_id)
    if transfer is None:
        raise TransferNotFound()
    return transfer


def staff_reads(db: Session, transfers: list[Transfer]) -> list[StaffTransferRead]:
    names = _partner_names(db, {t.partner_id for t in transfers})
    return [
        StaffTransferRead.model_validate({**_columns(t), "partner_name": names[t.partner_id]})
        for t in transfers
    ]


def _columns(transfer: Transfer) -> dict[str, Any]:
    return {
        name: getattr(transfer, name)
        for name in StaffTransferRead.model_fields
        if name != "partner_name"
    }


def list_transfers(
    db: Session, actor: Actor, params: PageParams, statuses: list[TransferStatus] | None
) -> tuple[list[StaffTransferRead], str | None]:
    """Oldest first: who has waited longest is answered first."""
    statement = select(Transfer)
    if statuses:
        statement = statement.where(Transfer.status.in_(statuses))
    rows, cursor = page_of(db, statement, [Transfer.created_at, Transfer.id], params)
    record(db, actor, "transfer.list", "transfer", detail={"count": len(rows)})
    return staff_reads(db, rows), cursor


def _partner_names(db: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    return dict(
        db.execute(select(Partner.id, Partner.name).where(Partner.id.in_(ids))).tuples().all()
    )


def openings(db: Session, program_ids: set[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Capacity minus the enrollments holding or awaiting a place (pending, active, on hold)."""
    if not program_ids:
        return {}
    taken = dict(
        db.execute(
            select(Enrollment.program_id, func.count())
            .where(Enrollment.program_id.in_(program_ids), Enrollment.status.in_(OPEN_ENROLLMENTS))
            .group_by(Enrollment.program_id)
        )
        .tuples()
        .all()
    )
    capacities = db.execute(
        select(Program.id, Program.capacity).where(Program.id.in_(program_ids))
    ).tuples()
    return {pid: max(capacity - taken.get(pid, 0), 0) for pid, capacity in capacities}


def possible_duplicates(db: Session, transfer: Transfer) -> list[DuplicateCandidate]:
    """Patients this resident may already be: the same partner's resident id on an earlier
    transfer, or the same name and date of birth."""
    by_reference = select(Transfer.patient_id).where(
        Transfer.partner_id == transfer.partner_id,
        Transfer.resident_reference == transfer.resident_reference,
        Transfer.patient_id.is_not(None),
    )
    linked = set(db.scalars(by_reference))
    same_person = and_(
        func.lower(Patient.family_name) == transfer.family_name.lower(),
        func.lower(Patient.given_name) == transfer.given_name.lower(),
        Patient.date_of_birth == transfer.date_of_birth,
    )
    condition = or_(Patient.id.in_(linked), same_person) if linked else same_person
    patients = db.scalars(
        select(Patient)
        .where(condition)
        .order_by(Patient.family_name, Patient.given_name, Patient.id)
        .limit(20)
    ).all()
    return [
        DuplicateCandidate(
            patient_id=p.id,
            mrn=p.mrn,
            given_name=p.given_name,
            family_name=p.family_name,
            date_of_birth=p.date_of_birth,
            matched_on="partner_resident_id" if p.id in linked else "name_and_date_of_birth",
        )
        for p in patients
    ]


def transfer_detail(db: Session, actor: Actor, transfer_id: uuid.UUID) -> StaffTransferDetail:
    transfer = require_transfer(db, transfer_id)
    partner_name = _partner_names(db, {transfer.partner_id})[transfer.partner_id]
    requested = None
    if transfer.requested_program_id is not None:
        program = db.get(Program, transfer.requested_program_id)
        if program is not None:
            requested = ProgramOpenings(
                program_id=program.id,
                name=program.name,
                capacity=program.capacity,
                openings=openings(db, {program.id}).get(program.id, 0),
            )
    documents = db.scalars(
        select(TransferDocument)
        .where(TransferDocument.transfer_id == transfer.id)
        .order_by(TransferDocument.created_at, TransferDocument.id)
    )
    record(db, actor, "transfer.read", "transfer", transfer.id, patient_id=transfer.patient_id)
    return StaffTransferDetail.model_validate(
        {
            **_columns(transfer),
            "partner_name": partner_name,
            "possible_duplicates": possible_duplicates(db, transfer),
            "requested_program": requested,
            "documents": [DocumentRead.model_validate(d) for d in documents],
            "messages": [MessageRead.model_validate(m) for m in messages(db, transfer)],
        }
    )


def messages(db: Session, transfer: Transfer) -> list[TransferMessage]:
    return list(
        db.scalars(
            select(TransferMessage)
            .where(TransferMessage.transfer_id == transfer.id)
            .order_by(TransferMessage.created_at, TransferMessage.id)
        )
    )


def document_content(
    db: Session, actor: Actor, transfer_id: uuid.UUID, document_id: uuid.UUID
) -> TransferDocument:
    document = db.get(TransferDocument, document_id)
    if document is None or document.transfer_id != transfer_id:
        raise DocumentNotFound()
    record(
        db,
        actor,
        "transfer.document.read",
        "transfer",
        transfer_id,
        detail={"document": str(document.id)},
    )
    return document


def answer(
    db: Session,
    actor: Actor,
    transfer: Transfer,
    action: str,
    to_status: TransferStatus,
    decision: dict[str, Any] | None,
) -> Transfer:
    """Move an open transfer to `to_status`, noting the first answer's time."""
    check_open(transfer, action)
    now = clock.now()
    from_status = transfer.status
    transfer.status = to_status
    if decision is not None:
        transfer.decision = {**decision, "decided_at": now.isoformat()}
    if transfer.first_response_at is None:
        transfer.first_response_at = now
    db.flush()
    record(
        db,
        actor,
        f"transfer.{action.replace('-', '_')}",
        "transfer",
        transfer.id,
        patient_id=transfer.patient_id,
        detail={"from": from_status.value, "to": to_status.value},
    )
    return transfer


def waitlist(db: Session, actor: Actor, transfer: Transfer, data: WaitlistRequest) -> Transfer:
    decision = {"expected_start": _iso(data.expected_start)}
    answer(db, actor, transfer, "waitlist", Status.waitlisted, decision)
    announce(db, transfer, "transfer.waitlisted", {"decision": transfer.decision})
    return transfer


def decline(db: Session, actor: Actor, transfer: Transfer, data: DeclineRequest) -> Transfer:
    decision = {"reason_code": data.reason_code.value, "reason": data.reason}
    answer(db, actor, transfer, "decline", Status.declined, decision)
    announce(db, transfer, "transfer.declined", {"decision": transfer.decision})
    return transfer


def request_info(
    db: Session, actor: Actor, transfer: Transfer, data: RequestInfo
) -> TransferMessage:
    answer(db, actor, transfer, "request-info", Status.info_requested, None)
    message = _add_message(db, actor, transfer, data.message)
    announce(db, transfer, "transfer.info_requested", {"message": data.message})
    return message


def add_staff_message(
    db: Session, actor: Actor, transfer: Transfer, data: MessageCreate
) -> TransferMessage:
    """Intake's message; on a transfer nobody has answered yet, it starts the review."""
    if transfer.status is Status.cancelled:
        raise TransferClosed("message about", transfer.status)
    if transfer.status is Status.received:
        answer(db, actor, transfer, "review", Status.under_review, None)
    message = _add_message(db, actor, transfer, data.body)
    announce(db, transfer, "transfer.message", {"message_id": str(message.id), "body": data.body})
    return message


def _add_message(db: Session, actor: Actor, transfer: Transfer, body: str) -> TransferMessage:
    message = TransferMessage(
        transfer_id=transfer.id,
        author=MessageAuthor.intake,
        author_user_id=actor.id if actor.type == "user" else None,
        body=body,
    )
    db.add(message)
    db.flush()
    record(db, actor, "transfer.message.intake", "transfer", transfer.id)
    return message


def check_open(transfer: Transfer, action: str) -> None:
    if transfer.status not in OPEN_STATUSES:
        raise TransferClosed(action.replace("-", " "), transfer.status)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def check_start(start_date: date, field: str = "start_date") -> None:
    if start_date < clock.now().date():
        raise InvalidInput.at(["body", field], "is in the past")
