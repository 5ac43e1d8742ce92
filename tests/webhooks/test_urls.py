"""Which URLs webhooks may go to: at registration, and again at every delivery."""

import ipaddress
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward.settings import Settings
from homeward.webhooks import urls
from homeward.webhooks.delivery import Dispatcher
from homeward.webhooks.exceptions import UnsafeWebhookUrl
from homeward.webhooks.models import WebhookDelivery
from homeward.webhooks.outbox import enqueue
from homeward.webhooks.urls import UrlPolicy, check_url
from tests.webhooks.conftest import PartnerApi
from tests.webhooks.receiver import Receiver

PRODUCTION = UrlPolicy(require_https=True, allow_loopback=False)
DEVELOPMENT = UrlPolicy(require_https=False, allow_loopback=True)


def _resolving_to(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> None:
    monkeypatch.setattr(
        urls, "resolve", lambda host, port: [ipaddress.ip_address(a) for a in addresses]
    )


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # the cloud metadata service
        "100.64.0.1",
        "0.0.0.0",
        "fd00::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "224.0.0.1",
    ],
)
def test_non_public_addresses_are_refused(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    _resolving_to(monkeypatch, "93.184.216.34", address)
    with pytest.raises(UnsafeWebhookUrl, match="not public"):
        check_url("https://hooks.partner.example/in", DEVELOPMENT)


def test_production_wants_https_and_refuses_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    _resolving_to(monkeypatch, "93.184.216.34")
    assert check_url("https://hooks.partner.example/in", PRODUCTION).address == (
        ipaddress.ip_address("93.184.216.34")
    )
    with pytest.raises(UnsafeWebhookUrl, match="https"):
        check_url("http://hooks.partner.example/in", PRODUCTION)
    _resolving_to(monkeypatch, "127.0.0.1")
    with pytest.raises(UnsafeWebhookUrl, match="not public"):
        check_url("https://localhost/in", PRODUCTION)
    assert check_url("http://localhost/in", DEVELOPMENT).address.is_loopback
    assert UrlPolicy.of(Settings(environment="production", secret_key="x" * 32)) == PRODUCTION


def test_urls_that_cannot_be_called_are_refused() -> None:
    for url, reason in [
        ("ftp://hooks.partner.example/", "https"),
        ("https://user:pw@hooks.partner.example/", "user name"),
        ("https://no-such-host.invalid/", "does not resolve"),
    ]:
        with pytest.raises(UnsafeWebhookUrl, match=reason):
            check_url(url, PRODUCTION)


def test_registration_refuses_a_private_url(
    partner_api: PartnerApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    _resolving_to(monkeypatch, "10.0.0.7")
    response = partner_api.client.post(
        "/api/v1/partner/webhook-endpoints",
        json={"url": "https://intranet.partner.example/"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/unsafe-webhook-url"
    assert "not public" in response.json()["detail"]


def test_a_url_resolving_to_a_private_address_at_delivery_is_refused(
    db: Session,
    partner_api: PartnerApi,
    receiver: Receiver,
    dispatcher: Dispatcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _resolving_to(monkeypatch, "93.184.216.34")
    partner_api.register(f"http://hooks.partner.example:{receiver.port}/hooks")
    enqueue(
        db,
        partner_id=partner_api.partner.id,
        event_type="transfer.received",
        data={},
        patient_id=None,
        consent_scope=None,
    )
    _resolving_to(monkeypatch, "10.0.0.7")  # the name now points inside the network
    assert dispatcher.run_once() == 1
    assert receiver.received == []
    delivery = db.scalars(
        select(WebhookDelivery).where(WebhookDelivery.partner_id == partner_api.partner.id)
    ).one()
    db.refresh(delivery)
    (attempt,) = delivery.attempts
    assert attempt.status_code is None and "not public" in (attempt.error or "")
    assert delivery.status == "pending"  # retried later, checked again then
    # Resolving to the receiver again (loopback is allowed outside production), it goes
    # to the checked address, with the name kept in the Host header.
    _resolving_to(monkeypatch, "127.0.0.1")
    delivery.next_attempt_at = delivery.created_at
    db.flush()
    assert dispatcher.run_once() == 1
    (request,) = receiver.received
    assert request.headers["host"] == f"hooks.partner.example:{receiver.port}"
