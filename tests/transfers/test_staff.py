"""Intake's side: the inbox, the detail, accepting (patient, consent, pending enrollment)."""

import uuid
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.enrollments.models import Enrollment, EnrollmentStatus
from homeward.patients.models import Consent
from tests.factories import Factories, StaffClient
from tests.transfers.helpers import PartnerClient, new_partner, transfer_body


@pytest.fixture
def partner(app: FastAPI, factories: Factories) -> PartnerClient:
    return new_partner(app, factories)


def _program(factories: Factories, capacity: int = 5) -> str:
    program = factories.program(capacity=capacity)
    factories.phase(program, [factories.slot(program)])
    return str(program.id)


def test_the_inbox_lists_oldest_first_and_filters_by_status(
    partner: PartnerClient, admin: StaffClient
) -> None:
    ids = [partner.submit().json()["id"] for _ in range(3)]
    admin.post(f"/api/v1/transfers/{ids[1]}/waitlist", json={})
    listed = admin.get("/api/v1/transfers", params={"status": ["received"]}).json()["items"]
    mine = [item["id"] for item in listed if item["id"] in ids]
    assert mine == [ids[0], ids[2]]
    waitlisted = admin.get("/api/v1/transfers", params={"status": "waitlisted"}).json()["items"]
    assert ids[1] in [item["id"] for item in waitlisted]
    assert waitlisted[0]["partner_name"] == partner.partner.name


def test_detail_shows_duplicates_and_openings(
    partner: PartnerClient, admin: StaffClient, factories: Factories
) -> None:
    program_id = _program(factories, capacity=3)
    known = factories.patient(given_name="Jordan", family_name="Rivera")
    known.date_of_birth = clock.now().date().replace(year=1990, month=4, day=12)
    factories.db.flush()
    transfer = partner.submit(transfer_body(requested_program_id=program_id)).json()
    detail = admin.get(f"/api/v1/transfers/{transfer['id']}")
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert [d["patient_id"] for d in body["possible_duplicates"]] == [str(known.id)]
    assert body["possible_duplicates"][0]["matched_on"] == "name_and_date_of_birth"
    assert body["requested_program"]["openings"] == 3


def test_accept_creates_patient_consent_and_pending_enrollment(
    partner: PartnerClient, admin: StaffClient, db: Session, factories: Factories
) -> None:
    program_id = _program(factories, capacity=3)
    transfer = partner.submit(transfer_body(requested_program_id=program_id)).json()
    start = (clock.now().date() + timedelta(days=2)).isoformat()
    accepted = admin.post(
        f"/api/v1/transfers/{transfer['id']}/accept",
        json={"program_id": program_id, "start_date": start},
    )
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["status"] == "accepted"
    assert body["decision"]["start_date"] == start
    assert body["first_response_at"] is not None
    enrollment = db.get(Enrollment, uuid.UUID(body["enrollment_id"]))
    assert enrollment is not None and enrollment.status is EnrollmentStatus.pending
    assert str(enrollment.patient_id) == body["patient_id"]
    consent = db.scalars(select(Consent).where(Consent.patient_id == enrollment.patient_id)).one()
    assert consent.recipient_partner_id == partner.partner.id
    assert consent.scopes == ["status_updates", "attendance"]
    # The requested program now has one place fewer.
    detail = admin.get(f"/api/v1/transfers/{transfer['id']}").json()
    assert detail["requested_program"]["openings"] == 2
    # A second answer is refused.
    again = admin.post(f"/api/v1/transfers/{transfer['id']}/waitlist", json={})
    assert again.status_code == 409


def test_accept_links_an_existing_patient(
    partner: PartnerClient, admin: StaffClient, db: Session, factories: Factories
) -> None:
    program_id = _program(factories)
    patient = factories.patient()
    transfer = partner.submit().json()
    accepted = admin.post(
        f"/api/v1/transfers/{transfer['id']}/accept",
        json={
            "program_id": program_id,
            "start_date": clock.now().date().isoformat(),
            "patient_id": str(patient.id),
        },
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["patient_id"] == str(patient.id)
    # The next transfer of this resident from the same partner finds the patient.
    body = transfer_body()
    body["resident"]["partner_resident_id"] = transfer["resident"]["partner_resident_id"]
    second = partner.submit(body).json()
    detail = admin.get(f"/api/v1/transfers/{second['id']}").json()
    matches = {(d["patient_id"], d["matched_on"]) for d in detail["possible_duplicates"]}
    assert (str(patient.id), "partner_resident_id") in matches


def test_decline_needs_a_coded_reason(partner: PartnerClient, admin: StaffClient) -> None:
    transfer = partner.submit().json()
    path = f"/api/v1/transfers/{transfer['id']}/decline"
    assert admin.post(path, json={"reason_code": "full", "reason": "x"}).status_code == 422
    declined = admin.post(path, json={"reason_code": "detox_first", "reason": "Needs detox"})
    assert declined.status_code == 200
    seen = partner.get(f"/api/v1/partner/transfers/{transfer['id']}").json()
    assert seen["status"] == "declined"
    assert seen["decision"]["reason_code"] == "detox_first"


def test_a_staff_message_starts_the_review(partner: PartnerClient, admin: StaffClient) -> None:
    transfer = partner.submit().json()
    sent = admin.post(
        f"/api/v1/transfers/{transfer['id']}/messages", json={"body": "We are reviewing."}
    )
    assert sent.status_code == 201, sent.text
    seen = partner.get(f"/api/v1/partner/transfers/{transfer['id']}").json()
    assert seen["status"] == "under_review"
    assert seen["first_response_at"] is not None
    assert [
        m["body"] for m in admin.get(f"/api/v1/transfers/{transfer['id']}/messages").json()
    ] == ["We are reviewing."]


def test_an_unknown_transfer_is_404(admin: StaffClient) -> None:
    missing = "/api/v1/transfers/00000000-0000-0000-0000-000000000000"
    assert admin.get(missing).status_code == 404
    assert admin.post(f"{missing}/waitlist", json={}).status_code == 404
