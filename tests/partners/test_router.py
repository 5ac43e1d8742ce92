"""Partner organizations, their API keys, and how partner requests are authenticated."""

import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from homeward.partners.models import PartnerApiKey
from tests.factories import Factories, StaffClient, partner_client


def _new_partner(admin: StaffClient) -> dict[str, str]:
    response = admin.post(
        "/api/v1/partners",
        json={"name": "Lakeside Residential", "contact_email": "ops@lake.example"},
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_key_is_shown_once_and_stored_hashed(admin: StaffClient, db: Session) -> None:
    partner = _new_partner(admin)
    created = admin.post(f"/api/v1/partners/{partner['id']}/api-keys", json={"name": "prod"})
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith(created.json()["prefix"] + "_")
    stored = db.get(PartnerApiKey, uuid.UUID(created.json()["id"]))
    assert stored is not None and key not in stored.key_hash and len(stored.key_hash) == 64
    listed = admin.get(f"/api/v1/partners/{partner['id']}/api-keys").json()
    assert [k["prefix"] for k in listed] == [created.json()["prefix"]]
    assert "key" not in listed[0]
    assert listed[0]["last_used_at"] is None


def test_partner_key_authenticates_and_records_use(
    admin: StaffClient, app: FastAPI, factories: Factories
) -> None:
    partner = _new_partner(admin)
    key = admin.post(f"/api/v1/partners/{partner['id']}/api-keys", json={}).json()["key"]
    factories.program(name="Open IOP")
    factories.program(name="Closed IOP", accepts_step_down=False)
    client = partner_client(app, key)
    me = client.get("/api/v1/partner/me")
    assert me.status_code == 200 and me.json()["name"] == "Lakeside Residential"
    catalog = [p["name"] for p in client.get("/api/v1/partner/programs").json()]
    assert "Open IOP" in catalog and "Closed IOP" not in catalog
    listed = admin.get(f"/api/v1/partners/{partner['id']}/api-keys").json()
    assert listed[0]["last_used_at"] is not None


def test_revoked_and_unknown_keys_get_401(admin: StaffClient, app: FastAPI) -> None:
    partner = _new_partner(admin)
    created = admin.post(f"/api/v1/partners/{partner['id']}/api-keys", json={}).json()
    client = partner_client(app, created["key"])
    assert client.get("/api/v1/partner/me").status_code == 200
    revoked = admin.delete(f"/api/v1/partners/{partner['id']}/api-keys/{created['id']}")
    assert revoked.status_code == 204
    assert client.get("/api/v1/partner/me").status_code == 401
    forged = partner_client(app, created["prefix"] + "_" + "0" * 48)
    assert forged.get("/api/v1/partner/me").status_code == 401
    assert partner_client(app, "garbage").get("/api/v1/partner/me").status_code == 401


def test_staff_routes_refuse_partner_keys(app: FastAPI, factories: Factories) -> None:
    client = partner_client(app, factories.api_key(factories.partner()))
    response = client.get("/api/v1/programs")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def test_partner_routes_need_a_key(client: TestClient, admin: StaffClient) -> None:
    assert client.get("/api/v1/partner/me").status_code == 401
    assert admin.get("/api/v1/partner/me").status_code == 401
