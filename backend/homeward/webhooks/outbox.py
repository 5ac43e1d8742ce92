"""The outbox: events are written in the caller's transaction and sent after it commits.

`enqueue` adds the event and one delivery per enabled endpoint of the partner. On
PostgreSQL it also sends a NOTIFY, which the database holds back until the transaction
commits, so a listening worker picks the event up at once (and never before it exists).
"""

import uuid
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from homeward import clock
from homeward.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent

NOTIFY_CHANNEL = "homeward_webhooks"

EVENT_TYPES = frozenset(
    {
        "transfer.received",
        "transfer.info_requested",
        "transfer.accepted",
        "transfer.waitlisted",
        "transfer.declined",
        "transfer.message",
        "enrollment.admitted",
        "enrollment.completed",
        "enrollment.discharged",
    }
)


def enqueue(
    db: Session,
    *,
    partner_id: uuid.UUID,
    event_type: str,
    data: dict[str, Any],
    patient_id: uuid.UUID | None,
    consent_scope: str | None,
) -> None:
    """Announce `event_type` to the partner's endpoints once the caller's transaction commits.

    `consent_scope` names the consent that must be active (for this partner and
    `patient_id`) when the event is delivered; None for events sent regardless.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    if consent_scope is not None and patient_id is None:
        raise ValueError("a consent-gated event names its patient")
    event = WebhookEvent(
        id=uuid.uuid4(),
        partner_id=partner_id,
        event_type=event_type,
        data=data,
        patient_id=patient_id,
        consent_scope=consent_scope,
        created_at=clock.now(),
    )
    db.add(event)
    endpoint_ids = db.scalars(
        select(WebhookEndpoint.id).where(
            WebhookEndpoint.partner_id == partner_id,
            WebhookEndpoint.enabled.is_(True),
            WebhookEndpoint.deleted_at.is_(None),
        )
    ).all()
    db.add_all(new_delivery(event, endpoint_id) for endpoint_id in endpoint_ids)
    db.flush()
    if endpoint_ids:
        notify(db)


def new_delivery(event: WebhookEvent, endpoint_id: uuid.UUID) -> WebhookDelivery:
    return WebhookDelivery(
        id=uuid.uuid4(),
        event_id=event.id,
        endpoint_id=endpoint_id,
        partner_id=event.partner_id,
        status=DeliveryStatus.pending,
        attempt_count=0,
        next_attempt_at=clock.now(),
        created_at=clock.now(),
    )


def notify(db: Session) -> None:
    """Wake listening workers when the transaction commits (PostgreSQL; SQLite workers poll)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})
