"""Inquiries: the public form's side (rate limited, honeypot) and the staff inbox."""

import hashlib
import hmac
import uuid
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.errors import InvalidInput, TooManyRequests
from homeward.inquiries.exceptions import InquiryNotFound
from homeward.inquiries.models import Inquiry, InquiryStatus, PublicRequest
from homeward.inquiries.schemas import InquiryCreate, InquiryRead, InquiryReceived, InquiryUpdate
from homeward.pagination import Page, PageParams, paginate
from homeward.screening.schemas import ScreeningOutcome
from homeward.screening.service import screen

RATE_WINDOW = timedelta(minutes=1)

NEXT_STEPS = {
    ScreeningOutcome.iop_appropriate: "We will contact you within one working day.",
}
DEFAULT_NEXT_STEPS = (
    "We will contact you within one working day to talk it through, whatever the outcome."
)


def _client_hash(secret_key: str, client: str) -> str:
    # Keyed, so the stored value does not give the address away.
    return hmac.new(secret_key.encode(), client.encode(), hashlib.sha256).hexdigest()


def check_rate(db: Session, secret_key: str, client: str, per_minute: int) -> None:
    """Count this request against its address; `TooManyRequests` past `per_minute`."""
    now = clock.now()
    key = _client_hash(secret_key, client)
    db.execute(
        delete(PublicRequest).where(
            PublicRequest.client_hash == key, PublicRequest.requested_at < now - RATE_WINDOW
        )
    )
    recent = db.execute(
        select(func.count(), func.min(PublicRequest.requested_at)).where(
            PublicRequest.client_hash == key, PublicRequest.requested_at >= now - RATE_WINDOW
        )
    ).one()
    count, oldest = recent
    if count >= per_minute:
        wait = (oldest + RATE_WINDOW - now).total_seconds() if oldest else RATE_WINDOW.seconds
        raise TooManyRequests(
            "Too many requests from your address; please wait a minute and try again",
            headers={"Retry-After": str(max(1, int(wait) + 1))},
        )
    db.add(PublicRequest(id=uuid.uuid4(), client_hash=key, requested_at=now))
    db.flush()


def submit_inquiry(db: Session, actor: Actor, data: InquiryCreate) -> InquiryReceived:
    """Screen the answers and, unless a robot filled the hidden field, keep the inquiry.

    The answer is the same either way, so the robot learns nothing.
    """
    result = screen(data.answers)
    received = InquiryReceived(
        outcome=result.outcome,
        guidance=result.guidance,
        next_steps=NEXT_STEPS.get(result.outcome, DEFAULT_NEXT_STEPS),
    )
    if data.website:
        record(db, actor, "inquiry.honeypot", "inquiry", outcome="denied")
        return received
    inquiry = Inquiry(
        name=data.name,
        phone=data.phone,
        email=str(data.email) if data.email else None,
        preferred_contact=data.preferred_contact,
        answers=data.answers.model_dump(mode="json"),
        outcome=result.outcome.value,
        message=data.message,
        status=InquiryStatus.new,
    )
    db.add(inquiry)
    db.flush()
    record(db, actor, "inquiry.create", "inquiry", inquiry.id)
    return received


def list_inquiries(
    db: Session, actor: Actor, params: PageParams, status: InquiryStatus | None
) -> Page[InquiryRead]:
    """Newest first."""
    statement = select(Inquiry)
    if status is not None:
        statement = statement.where(Inquiry.status == status)
    order = [Inquiry.created_at, Inquiry.id]
    page = paginate(db, statement, order, params, read_as=InquiryRead, descending=True)
    record(db, actor, "inquiry.list", "inquiry", detail={"count": len(page.items)})
    return page


def require_inquiry(db: Session, inquiry_id: uuid.UUID) -> Inquiry:
    inquiry = db.get(Inquiry, inquiry_id)
    if inquiry is None:
        raise InquiryNotFound("No such inquiry")
    return inquiry


def get_inquiry(db: Session, actor: Actor, inquiry_id: uuid.UUID) -> Inquiry:
    inquiry = require_inquiry(db, inquiry_id)
    record(db, actor, "inquiry.read", "inquiry", inquiry.id, patient_id=inquiry.patient_id)
    return inquiry


def update_inquiry(
    db: Session, actor: Actor, inquiry_id: uuid.UUID, data: InquiryUpdate
) -> Inquiry:
    inquiry = require_inquiry(db, inquiry_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("status") is None:
        changes.pop("status", None)
    if "notes" in changes and changes["notes"] is None:
        changes["notes"] = ""
    status = changes.get("status")
    if status == InquiryStatus.converted and inquiry.patient_id is None:
        raise InvalidInput.at(
            ["body", "status"],
            "an inquiry becomes converted when its patient is created: "
            f"use POST /inquiries/{inquiry.id}/convert",
        )
    for field, value in changes.items():
        setattr(inquiry, field, value)
    db.flush()
    record(
        db,
        actor,
        "inquiry.update",
        "inquiry",
        inquiry.id,
        patient_id=inquiry.patient_id,
        detail={"fields": sorted(changes)},
    )
    return inquiry
