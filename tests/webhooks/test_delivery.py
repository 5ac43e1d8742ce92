"""Delivery to a real receiver: signatures, retries, 410, Retry-After, redelivery, leases."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from homeward import clock
from homeward.audit.models import AuditEvent
from homeward.webhooks.delivery import Dispatcher
from homeward.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from homeward.webhooks.outbox import enqueue
from tests.factories import StaffClient
from tests.webhooks.conftest import PartnerApi
from tests.webhooks.receiver import Receiver, Reply


def _announce(db: Session, partner_id: uuid.UUID, **data: object) -> None:
    enqueue(
        db,
        partner_id=partner_id,
        event_type="transfer.received",
        data={"transfer_id": str(uuid.uuid4()), **data},
        patient_id=None,
        consent_scope=None,
    )


def _delivery(db: Session, partner_id: uuid.UUID) -> WebhookDelivery:
    db.expire_all()
    return db.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.partner_id == partner_id)
        .order_by(WebhookDelivery.created_at.desc())
        .limit(1)
    ).one()


def test_delivery_is_signed_and_verifies(
    db: Session, partner_api: PartnerApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    endpoint = partner_api.register(receiver.url)
    assert endpoint["secret"].startswith("whsec_")
    _announce(db, partner_api.partner.id, status="received")
    assert dispatcher.run_once() == 1
    (request,) = receiver.received
    payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "transfer.received"
    assert payload["data"]["status"] == "received"
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "B" * 32).verify(request.body, request.headers)
    delivery = _delivery(db, partner_api.partner.id)
    assert delivery.status is DeliveryStatus.succeeded
    assert request.headers["webhook-id"] == delivery.webhook_id
    listed = partner_api.client.get("/api/v1/partner/webhook-deliveries").json()["items"]
    assert listed[0]["status"] == "succeeded" and listed[0]["event_type"] == "transfer.received"
    (attempt,) = listed[0]["attempts"]
    assert attempt["status_code"] == 204 and attempt["latency_ms"] >= 0
    assert attempt["error"] is None
    # The secret is shown once.
    shown = partner_api.client.get("/api/v1/partner/webhook-endpoints").json()["items"]
    assert shown[0]["id"] == endpoint["id"] and "secret" not in shown[0]


def test_a_500_is_retried_on_schedule_until_a_success(
    db: Session, partner_api: PartnerApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    partner_api.register(receiver.url)
    receiver.reply(Reply(500), Reply(200))
    _announce(db, partner_api.partner.id)
    before = clock.now()
    dispatcher.run_once()
    delivery = _delivery(db, partner_api.partner.id)
    assert delivery.status is DeliveryStatus.pending and delivery.attempt_count == 1
    assert delivery.last_status_code == 500 and delivery.next_attempt_at is not None
    assert before + timedelta(seconds=5) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= clock.now() + timedelta(seconds=5)
    assert dispatcher.run_once() == 0  # not due yet
    db.execute(update(WebhookDelivery).values(next_attempt_at=clock.now()))
    assert dispatcher.run_once() == 1
    delivery = _delivery(db, partner_api.partner.id)
    assert delivery.status is DeliveryStatus.succeeded
    assert [a.status_code for a in delivery.attempts] == [500, 200]
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert db.get(WebhookEndpoint, delivery.endpoint_id).failing_since is None  # type: ignore[union-attr]


def test_retry_after_is_honoured_and_redirects_are_not_followed(
    db: Session, partner_api: PartnerApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    partner_api.register(receiver.url)
    receiver.reply(Reply(503, (("Retry-After", "120"),)))
    _announce(db, partner_api.partner.id)
    dispatcher.run_once()
    delivery = _delivery(db, partner_api.partner.id)
    assert delivery.next_attempt_at is not None
    assert delivery.next_attempt_at >= clock.now() + timedelta(seconds=110)
    receiver.reply(Reply(302, (("Location", "http://127.0.0.1:9/elsewhere"),)))
    db.execute(update(WebhookDelivery).values(next_attempt_at=clock.now()))
    dispatcher.run_once()
    delivery = _delivery(db, partner_api.partner.id)
    assert delivery.status is DeliveryStatus.pending and delivery.last_status_code == 302
    assert len(receiver.received) == 2  # the redirect's target was never asked


def test_gone_disables_the_endpoint_and_tells_admins(
    db: Session,
    partner_api: PartnerApi,
    receiver: Receiver,
    dispatcher: Dispatcher,
    admin: StaffClient,
) -> None:
    endpoint = partner_api.register(receiver.url)
    receiver.reply(Reply(410))
    _announce(db, partner_api.partner.id)
    _announce(db, partner_api.partner.id)
    later = _delivery(db, partner_api.partner.id)
    later.next_attempt_at = clock.now() + timedelta(hours=1)
    db.flush()
    assert dispatcher.run_once() == 1
    db.expire_all()
    stored = db.get(WebhookEndpoint, uuid.UUID(endpoint["id"]))
    assert stored is not None and not stored.enabled and "410" in (stored.disabled_reason or "")
    # One queued before the 410 is settled unsent when it falls due.
    db.execute(update(WebhookDelivery).values(next_attempt_at=clock.now()))
    assert dispatcher.run_once() == 1
    statuses = {d.status for d in db.scalars(select(WebhookDelivery))}
    assert statuses == {DeliveryStatus.failed}
    assert len(receiver.received) == 1
    notice = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "webhook_endpoint.disable",
            AuditEvent.resource_id == endpoint["id"],
        )
    ).one()
    assert notice.actor_type == "system"
    disabled = admin.get("/api/v1/webhook-endpoints", params={"enabled": "false"}).json()
    assert endpoint["id"] in [e["id"] for e in disabled["items"]]
    _announce(db, partner_api.partner.id)
    assert dispatcher.run_once() == 0


def test_five_days_of_failures_disable_the_endpoint(
    db: Session, partner_api: PartnerApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    endpoint = partner_api.register(receiver.url)
    receiver.reply(Reply(500), Reply(500))
    _announce(db, partner_api.partner.id)
    dispatcher.run_once()
    stored = db.get(WebhookEndpoint, uuid.UUID(endpoint["id"]))
    assert stored is not None and stored.enabled and stored.failing_since is not None
    stored.failing_since = clock.now() - timedelta(days=5, minutes=1)
    db.execute(update(WebhookDelivery).values(next_attempt_at=clock.now()))
    db.flush()
    dispatcher.run_once()
    db.expire_all()
    assert not stored.enabled and "five days" in (stored.disabled_reason or "")
    assert _delivery(db, partner_api.partner.id).status is DeliveryStatus.failed


def test_the_last_attempt_fails_the_delivery(
    db: Session, partner_api: PartnerApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    partner_api.register(receiver.url)
    receiver.reply(Reply(500))
    _announce(db, partner_api.partner.id)
    db.execute(update(WebhookDelivery).values(attempt_count=9))
    dispatcher.run_once()
    delivery = _delivery(db, partner_api.partner.id)
    assert delivery.status is DeliveryStatus.failed and delivery.attempt_count == 10


def test_redelivery_sends_the_event_again(
    db: Session, partner_api: PartnerApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    partner_api.register(receiver.url)
    _announce(db, partner_api.partner.id)
    dispatcher.run_once()
    first = _delivery(db, partner_api.partner.id)
    response = partner_api.client.post(
        f"/api/v1/partner/webhook-deliveries/{first.id}/redeliver",
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "pending" and response.json()["id"] != str(first.id)
    assert dispatcher.run_once() == 1
    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body
    assert receiver.received[1].headers["webhook-id"] == first.webhook_id
    assert _delivery(db, partner_api.partner.id).status is DeliveryStatus.succeeded


def test_a_large_answer_is_read_only_up_to_the_cap(
    db: Session, partner_api: PartnerApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    partner_api.register(receiver.url)
    receiver.reply(Reply(200, body=b"x" * (4 * 1024 * 1024)))
    _announce(db, partner_api.partner.id)
    dispatcher.run_once()
    assert _delivery(db, partner_api.partner.id).status is DeliveryStatus.succeeded


def test_a_lease_keeps_others_off_until_it_expires(
    db: Session, partner_api: PartnerApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    partner_api.register(receiver.url)
    _announce(db, partner_api.partner.id)
    # A worker leased it, then died mid-delivery.
    db.execute(
        update(WebhookDelivery).values(
            lease_token=uuid.uuid4(), leased_until=clock.now() + timedelta(seconds=30)
        )
    )
    assert dispatcher.run_once() == 0 and receiver.received == []
    db.execute(update(WebhookDelivery).values(leased_until=clock.now() - timedelta(seconds=1)))
    assert dispatcher.run_once() == 1 and len(receiver.received) == 1
    assert _delivery(db, partner_api.partner.id).status is DeliveryStatus.succeeded
