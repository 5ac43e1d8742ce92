"""A partner's transfer body, and partner clients for the transfer tests."""

import uuid
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from homeward import clock
from homeward.partners.models import Partner
from tests.factories import Factories, partner_client

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def transfer_body(**overrides: Any) -> dict[str, Any]:
    today = clock.now().date()
    body: dict[str, Any] = {
        "resident": {
            "given_name": "Jordan",
            "family_name": "Rivera",
            "date_of_birth": "1990-04-12",
            "sex": "male",
            "phone": "+1 555 0100",
            "email": "jordan@example.com",
            "partner_resident_id": f"R-{uuid.uuid4().hex[:8]}",
        },
        "discharge": {
            "discharged_on": (today - timedelta(days=1)).isoformat(),
            "detox_completed": True,
            "detox_completed_on": (today - timedelta(days=20)).isoformat(),
            "withdrawal_risk": "low",
            "diagnoses": ["F10.20", "F41.1"],
            "medications": [{"name": "naltrexone", "dose": "50 mg", "frequency": "daily"}],
            "summary": "28-day residential stay completed.",
        },
        "preferred_start_date": (today + timedelta(days=3)).isoformat(),
        "consent": {
            "signed_on": (today - timedelta(days=2)).isoformat(),
            "expires_on": (today + timedelta(days=365)).isoformat(),
            "scopes": ["status_updates", "attendance"],
            "purpose": "Care coordination after discharge",
            "document_reference": "consent-2026-001.pdf",
        },
        "partner_contact": {"name": "Sam Lee", "email": "sam@partner.example"},
    }
    body.update(overrides)
    return body


class PartnerClient(TestClient):
    partner: Partner

    def submit(self, body: dict[str, Any] | None = None, key: str | None = None) -> Response:
        """POST a transfer with a fresh (or the given) idempotency key."""
        return self.post(
            "/api/v1/partner/transfers",
            json=body if body is not None else transfer_body(),
            headers={"Idempotency-Key": key or str(uuid.uuid4())},
        )

    def act(self, path: str, **kwargs: Any) -> Response:
        headers = {"Idempotency-Key": str(uuid.uuid4()), **kwargs.pop("headers", {})}
        return self.post(path, headers=headers, **kwargs)


def new_partner(app: FastAPI, factories: Factories) -> PartnerClient:
    partner = factories.partner()
    client = partner_client(app, factories.api_key(partner))
    client.__class__ = PartnerClient
    assert isinstance(client, PartnerClient)
    client.partner = partner
    return client
