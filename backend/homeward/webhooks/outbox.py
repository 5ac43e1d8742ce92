"""The outbox: events are written in the caller's transaction and sent after it commits.

`enqueue` adds the event and one delivery per enabled endpoint of the partner. On
PostgreSQL it also sends a NOTIFY, which the database holds back until the transaction
commits, so a listening worker picks the event up at once (and never before it exists).
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class NewEvent:
    """An event to announce. `consent_scope` names the consent that must be active (for
    this partner and `patient_id`) when it is delivered; None for events sent regardless."""

    partner_id: uuid.UUID
    event_type: str
    data: dict[str, Any]
    patient_id: uuid.UUID | None = None
    consent_scope: str | None = None


def enqueue(
    db: Session,
    *,
    partner_id: uuid.UUID,
    event_type: str,
    data: dict[str, Any],
    patient_id: uuid.UUID | None,
    consent_scope: str | None,
) -> None:
    """Announce `event_type` to the partner's endpoints once the caller's transaction commits."""
    enqueue_many(db, [NewEvent(partner_id, event_type, data, patient_id, consent_scope)])


def enqueue_many(db: Session, events: Sequence[NewEvent]) -> None:
    """Announce every event to its partner's endpoints, in the caller's transaction.

    A fixed number of statements however many events (one endpoint query, the
    inserts, one NOTIFY): a cohort's automatic changes announce theirs at once.
    """
    for new in events:
        if new.event_type not in EVENT_TYPES:
            raise ValueError(f"unknown webhook event type {new.event_type!r}")
        if new.consent_scope is not None and new.patient_id is None:
            raise ValueError("a consent-gated event names its patient")
    if not events:
        return
    now = clock.now()
    rows = [
        WebhookEvent(
            id=uuid.uuid4(),
            partner_id=new.partner_id,
            event_type=new.event_type,
            data=new.data,
            patient_id=new.patient_id,
            consent_scope=new.consent_scope,
            created_at=now,
        )
        for new in events
    ]
    db.add_all(rows)
    endpoints = db.execute(
        select(WebhookEndpoint.partner_id, WebhookEndpoint.id).where(
            WebhookEndpoint.partner_id.in_({new.partner_id for new in events}),
            WebhookEndpoint.enabled.is_(True),
            WebhookEndpoint.deleted_at.is_(None),
        )
    ).all()
    by_partner: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for partner_id, endpoint_id in endpoints:
        by_partner[partner_id].append(endpoint_id)
    db.add_all(
        new_delivery(event, endpoint_id)
        for event in rows
        for endpoint_id in by_partner.get(event.partner_id, ())
    )
    db.flush()
    if endpoints:
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
