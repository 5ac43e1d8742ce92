from datetime import date

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from tests.enrollments.helpers import audit_events, freeze
from tests.factories import Factories, StaffClient, login_as
from tests.patients.helpers import PATIENT
from tests.statements import count_queries

P = "/api/v1/patients"


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


def test_register_read_and_update_a_patient(clinician: StaffClient, db: Session) -> None:
    created = clinician.post(
        P,
        json=PATIENT
        | {
            "contacts": [{"name": "Marta", "relationship_to_patient": "mother"}],
            "medical_profile": {"detox_status": "not_needed"},
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["mrn"].startswith("HW-")
    assert body["contacts"][0]["joins_family_program"] is False
    assert body["medical_profile"]["detox_status"] == "not_needed"

    read = clinician.get(f"{P}/{body['id']}")
    assert read.status_code == 200
    assert read.json() == body
    (event,) = audit_events(db, "patient.read")
    assert str(event.patient_id) == body["id"] and event.actor_id == clinician.user.id

    updated = clinician.patch(f"{P}/{body['id']}", json={"email": "ana@clinic.example.com"})
    assert updated.json()["email"] == "ana@clinic.example.com"
    assert clinician.patch(f"{P}/{body['id']}", json={"mrn": "HW-1"}).status_code == 422
    assert clinician.patch(f"{P}/{body['id']}", json={"given_name": None}).status_code == 422


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date_of_birth": "2030-01-01"}, "date_of_birth"),
        ({"email": "not-an-email"}, "email"),
        ({"sex": "robot"}, "sex"),
        ({"given_name": ""}, "given_name"),
        ({"medical_profile": {"detox_status": "completed"}}, "detox_completed_on"),
    ],
)
def test_bad_patient_input_is_a_422_with_its_location(
    clinician: StaffClient, change: dict[str, object], field: str
) -> None:
    response = clinician.post(P, json=PATIENT | change)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert any(field in error["loc"] for error in response.json()["errors"])


def test_unknown_patient_is_404(clinician: StaffClient) -> None:
    response = clinician.get(f"{P}/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/patient-not-found"


def test_medical_staff_edit_only_the_medical_profile(
    app: FastAPI, factories: Factories, db: Session
) -> None:
    medical = login_as(app, factories, "medical")
    patient = factories.patient()
    profile = {
        "detox_status": "completed",
        "detox_completed_on": "2026-02-27",
        "conditions": [
            {"name": "Hypertension", "kind": "physical", "treated": False, "serious": True}
        ],
        "medications": [{"name": "Naltrexone", "dose": "50 mg", "schedule": "daily"}],
    }
    response = medical.put(f"{P}/{patient.id}/medical-profile", json=profile)
    assert response.status_code == 200, response.text
    assert response.json()["medical_profile"] == profile
    assert medical.patch(f"{P}/{patient.id}", json={"phone": "555 0100"}).status_code == 403
    (event,) = audit_events(db, "patient.medical_profile.update")
    assert event.patient_id == patient.id
    bad = medical.put(f"{P}/{patient.id}/medical-profile", json={"detox_status": "done"})
    assert bad.status_code == 422


def test_contacts_routes(clinician: StaffClient, factories: Factories) -> None:
    patient = factories.patient()
    added = clinician.post(
        f"{P}/{patient.id}/contacts",
        json={"name": "Jo", "relationship_to_patient": "spouse", "joins_family_program": True},
    )
    assert added.status_code == 201
    contact_id = added.json()["id"]
    patched = clinician.patch(
        f"{P}/{patient.id}/contacts/{contact_id}", json={"phone": "312-555-0199"}
    )
    assert patched.json()["phone"] == "312-555-0199"
    listed = clinician.get(f"{P}/{patient.id}/contacts").json()
    assert [c["name"] for c in listed] == ["Jo"]
    other = factories.patient()
    assert clinician.delete(f"{P}/{other.id}/contacts/{contact_id}").status_code == 404
    assert clinician.delete(f"{P}/{patient.id}/contacts/{contact_id}").status_code == 204
    assert clinician.get(f"{P}/{patient.id}").json()["contacts"] == []


def test_consents_routes(app: FastAPI, factories: Factories, clinician: StaffClient) -> None:
    intake = login_as(app, factories, "intake")
    patient, partner = factories.patient(), factories.partner(name="Harbor Rehab")
    consent = {
        "recipient_partner_id": str(partner.id),
        "purpose": "Report progress to the referring facility",
        "scopes": ["status_updates", "discharge_summary"],
        "signed_on": "2026-02-10",
        "expires_on": "2027-02-10",
    }
    created = intake.post(f"{P}/{patient.id}/consents", json=consent)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["recipient_name"] == "Harbor Rehab" and body["active"] is True
    assert clinician.post(f"{P}/{patient.id}/consents", json=consent).status_code == 403

    listed = clinician.get(f"{P}/{patient.id}/consents")
    assert [c["id"] for c in listed.json()] == [body["id"]]

    revoke = f"{P}/{patient.id}/consents/{body['id']}/revoke"
    revoked = intake.post(revoke)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_on"] == "2026-03-02" and revoked.json()["active"] is False
    again = intake.post(revoke, json={})
    assert again.status_code == 409
    assert again.json()["type"] == "/problems/consent-already-revoked"

    expired = intake.post(
        f"{P}/{patient.id}/consents",
        json=consent | {"signed_on": "2025-01-01", "expires_on": "2026-01-01"},
    )
    assert expired.json()["active"] is False
    both = intake.post(f"{P}/{patient.id}/consents", json=consent | {"recipient_name": "Kim"})
    assert both.status_code == 422
    no_scope = intake.post(f"{P}/{patient.id}/consents", json=consent | {"scopes": []})
    assert no_scope.status_code == 422


def test_search_and_pages(clinician: StaffClient, factories: Factories) -> None:
    for given in ("Noor", "Nadia", "Nils"):
        factories.patient(given_name=given, family_name="Qx-Search")
    factories.patient(given_name="Nadia", family_name="Elsewhere", date_of_birth=date(1961, 7, 8))
    first = clinician.get(P, params={"q": "qx-search", "limit": 2}).json()
    assert [p["given_name"] for p in first["items"]] == ["Nadia", "Nils"]
    second = clinician.get(P, params={"q": "qx-search", "limit": 2, "cursor": first["next_cursor"]})
    assert [p["given_name"] for p in second.json()["items"]] == ["Noor"]
    assert second.json()["next_cursor"] is None
    by_birth = clinician.get(P, params={"q": "1961-07-08"}).json()["items"]
    assert [p["family_name"] for p in by_birth] == ["Elsewhere"]
    assert clinician.get(P, params={"cursor": "garbage"}).status_code == 422
    assert clinician.get(P, params={"q": "2026-13-01"}).status_code == 422


def test_viewer_sees_no_patients(viewer: StaffClient, factories: Factories) -> None:
    patient = factories.patient()
    assert viewer.get(P).status_code == 403
    assert viewer.get(f"{P}/{patient.id}").status_code == 403


def test_listing_patients_runs_the_same_statements_for_3_and_12_rows(
    clinician: StaffClient, factories: Factories, db: Session
) -> None:
    def listed(family: str, size: int) -> int:
        for n in range(size):
            patient = factories.patient(family_name=family)
            if n % 2 == 0:
                clinician.post(
                    f"{P}/{patient.id}/contacts",
                    json={"name": "Kin", "relationship_to_patient": "sibling"},
                )
        with count_queries(db) as statements:
            response = clinician.get(P, params={"q": family})
        assert len(response.json()["items"]) == size
        assert audit_events(db, "patient.list")[-1].detail == {"count": size, "search": True}
        return len(statements)

    assert listed("Qcount-small", 3) == listed("Qcount-large", 12)


def test_profiles_inserted_directly_still_read(
    clinician: StaffClient, factories: Factories
) -> None:
    patient = factories.patient(
        medical_profile={
            "detox_status": "not_needed",
            "conditions": [
                {
                    "name": "Asthma",
                    "kind": "physical",
                    "treated": True,
                    "serious": False,
                    "noted_by": "import",
                }
            ],
            "allergies": ["penicillin"],
        }
    )
    response = clinician.get(f"{P}/{patient.id}")
    assert response.status_code == 200
    assert response.json()["medical_profile"] == {
        "detox_status": "not_needed",
        "detox_completed_on": None,
        "conditions": [{"name": "Asthma", "kind": "physical", "treated": True, "serious": False}],
        "medications": [],
    }
