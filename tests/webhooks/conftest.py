import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from homeward.partners.models import Partner
from homeward.settings import Settings
from homeward.webhooks.delivery import Dispatcher
from homeward.webhooks.urls import UrlPolicy
from tests.factories import Factories, partner_client
from tests.webhooks.receiver import Receiver


@dataclass
class PartnerApi:
    partner: Partner
    client: TestClient

    def register(self, url: str) -> dict[str, str]:
        response = self.client.post(
            "/api/v1/partner/webhook-endpoints",
            json={"url": url},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def partner_api(app: FastAPI, factories: Factories) -> PartnerApi:
    partner = factories.partner()
    return PartnerApi(partner, partner_client(app, factories.api_key(partner)))


@pytest.fixture
def dispatcher(session_factory: sessionmaker[Session], settings: Settings) -> Iterator[Dispatcher]:
    # No jitter, so the retry schedule can be checked to the second.
    running = Dispatcher(session_factory, UrlPolicy.of(settings), jitter=lambda: 0.0)
    yield running
    running.close()
