"""The outbox: an event and one delivery per enabled endpoint, in the caller's transaction."""

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from homeward.webhooks.outbox import enqueue
from tests.factories import Factories


def _endpoint(db: Session, partner_id: uuid.UUID, **overrides: object) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        partner_id=partner_id,
        url="https://hooks.partner.example/homeward",
        secret="whsec_" + "A" * 32,
        **overrides,
    )
    db.add(endpoint)
    db.flush()
    return endpoint


def test_enqueue_fans_out_to_enabled_endpoints_only(db: Session, factories: Factories) -> None:
    partner, other = factories.partner(), factories.partner()
    live = _endpoint(db, partner.id)
    _endpoint(db, partner.id, enabled=False)
    _endpoint(db, partner.id, deleted_at=clock.now())
    _endpoint(db, other.id)
    enqueue(
        db,
        partner_id=partner.id,
        event_type="transfer.received",
        data={"transfer_id": "t-1"},
        patient_id=None,
        consent_scope=None,
    )
    event = db.scalars(select(WebhookEvent).where(WebhookEvent.partner_id == partner.id)).one()
    assert event.event_type == "transfer.received" and event.data == {"transfer_id": "t-1"}
    deliveries = db.scalars(
        select(WebhookDelivery).where(WebhookDelivery.event_id == event.id)
    ).all()
    assert [(d.endpoint_id, d.status) for d in deliveries] == [(live.id, DeliveryStatus.pending)]


def test_enqueue_refuses_unknown_types_and_ungated_patients(
    db: Session, factories: Factories
) -> None:
    partner = factories.partner()
    with pytest.raises(ValueError, match="unknown webhook event type"):
        enqueue(
            db,
            partner_id=partner.id,
            event_type="transfer.teleported",
            data={},
            patient_id=None,
            consent_scope=None,
        )
    with pytest.raises(ValueError, match="names its patient"):
        enqueue(
            db,
            partner_id=partner.id,
            event_type="enrollment.admitted",
            data={},
            patient_id=None,
            consent_scope="status_updates",
        )
