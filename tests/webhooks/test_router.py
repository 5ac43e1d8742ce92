"""The partner's own endpoints and deliveries: another partner's ids answer 404."""

import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from homeward.webhooks.delivery import Dispatcher
from homeward.webhooks.outbox import enqueue
from tests.factories import Factories, partner_client
from tests.webhooks.conftest import PartnerApi
from tests.webhooks.receiver import Receiver


def test_another_partners_endpoints_and_deliveries_are_not_found(
    app: FastAPI,
    db: Session,
    factories: Factories,
    partner_api: PartnerApi,
    receiver: Receiver,
    dispatcher: Dispatcher,
) -> None:
    endpoint = partner_api.register(receiver.url)
    enqueue(
        db,
        partner_id=partner_api.partner.id,
        event_type="transfer.received",
        data={},
        patient_id=None,
        consent_scope=None,
    )
    dispatcher.run_once()
    mine = partner_api.client.get("/api/v1/partner/webhook-deliveries").json()["items"]
    other = factories.partner()
    intruder = partner_client(app, factories.api_key(other))
    assert intruder.get("/api/v1/partner/webhook-endpoints").json()["items"] == []
    assert intruder.get("/api/v1/partner/webhook-deliveries").json()["items"] == []
    gone = intruder.delete(f"/api/v1/partner/webhook-endpoints/{endpoint['id']}")
    assert gone.status_code == 404
    again = intruder.post(f"/api/v1/partner/webhook-deliveries/{mine[0]['id']}/redeliver")
    assert again.status_code == 404
    assert (
        intruder.post(f"/api/v1/partner/webhook-deliveries/{uuid.uuid4()}/redeliver").status_code
        == 404
    )


def test_deleting_an_endpoint_stops_deliveries_and_keeps_the_log(
    db: Session, partner_api: PartnerApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    endpoint = partner_api.register(receiver.url)
    assert (
        partner_api.client.delete(f"/api/v1/partner/webhook-endpoints/{endpoint['id']}").status_code
        == 204
    )
    assert partner_api.client.get("/api/v1/partner/webhook-endpoints").json()["items"] == []
    enqueue(
        db,
        partner_id=partner_api.partner.id,
        event_type="transfer.received",
        data={},
        patient_id=None,
        consent_scope=None,
    )
    assert dispatcher.run_once() == 0 and receiver.received == []


def test_a_partner_key_is_required(client: TestClient) -> None:
    anonymous = client
    assert anonymous.get("/api/v1/partner/webhook-endpoints").status_code == 401
    assert (
        anonymous.post(
            "/api/v1/partner/webhook-endpoints", json={"url": "https://x.example/"}
        ).status_code
        == 401
    )
