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


def _fresh_key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


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
    again = intruder.post(
        f"/api/v1/partner/webhook-deliveries/{mine[0]['id']}/redeliver", headers=_fresh_key()
    )
    assert again.status_code == 404
    assert (
        intruder.post(
            f"/api/v1/partner/webhook-deliveries/{uuid.uuid4()}/redeliver", headers=_fresh_key()
        ).status_code
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


def test_registering_and_redelivering_take_an_idempotency_key(
    db: Session, partner_api: PartnerApi, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    endpoints = "/api/v1/partner/webhook-endpoints"
    without = partner_api.client.post(endpoints, json={"url": receiver.url})
    assert without.status_code == 400, without.text
    assert partner_api.client.get(endpoints).json()["items"] == []
    key = _fresh_key()
    first = partner_api.client.post(endpoints, json={"url": receiver.url}, headers=key)
    again = partner_api.client.post(endpoints, json={"url": receiver.url}, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json() and first.json()["secret"].startswith("whsec_")
    assert len(partner_api.client.get(endpoints).json()["items"]) == 1
    other = partner_api.client.post(endpoints, json={"url": receiver.url + "/2"}, headers=key)
    assert other.status_code == 422

    enqueue(
        db,
        partner_id=partner_api.partner.id,
        event_type="transfer.received",
        data={},
        patient_id=None,
        consent_scope=None,
    )
    dispatcher.run_once()
    [delivery] = partner_api.client.get("/api/v1/partner/webhook-deliveries").json()["items"]
    redeliver = f"/api/v1/partner/webhook-deliveries/{delivery['id']}/redeliver"
    assert partner_api.client.post(redeliver).status_code == 400
    key = _fresh_key()
    queued = partner_api.client.post(redeliver, headers=key)
    replayed = partner_api.client.post(redeliver, headers=key)
    assert (queued.status_code, replayed.status_code) == (202, 202)
    assert replayed.json()["id"] == queued.json()["id"]
    # Queued once, however often the request was retried.
    assert len(partner_api.client.get("/api/v1/partner/webhook-deliveries").json()["items"]) == 2
