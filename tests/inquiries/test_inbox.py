"""The intake inbox: list, read, update, convert into a patient and enrollment."""

import uuid

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from homeward.enrollments.models import Enrollment
from homeward.patients.models import Patient
from tests.factories import Factories, StaffClient, login_as
from tests.inquiries.test_public import _form


def _submit(client: TestClient) -> None:
    assert client.post("/api/v1/public/inquiries", json=_form()).status_code == 201


def test_intake_works_an_inquiry_through_to_a_patient(
    client: TestClient, admin: StaffClient, db: Session, factories: Factories
) -> None:
    _submit(client)
    inbox = admin.get("/api/v1/inquiries", params={"status": "new"})
    assert inbox.status_code == 200
    inquiry = inbox.json()["items"][0]
    assert inquiry["name"] == "Sam Rivera" and inquiry["outcome"] == "iop_appropriate"
    one = admin.get(f"/api/v1/inquiries/{inquiry['id']}")
    assert one.status_code == 200 and one.json()["answers"]["detox"] == "completed"
    patched = admin.patch(
        f"/api/v1/inquiries/{inquiry['id']}", json={"status": "contacted", "notes": "Called."}
    )
    assert patched.status_code == 200
    assert patched.json()["status"] == "contacted" and patched.json()["notes"] == "Called."
    refused = admin.patch(f"/api/v1/inquiries/{inquiry['id']}", json={"status": "converted"})
    assert refused.status_code == 422 and "/convert" in refused.text
    program = factories.program()
    converted = admin.post(
        f"/api/v1/inquiries/{inquiry['id']}/convert",
        json={
            "given_name": "Sam",
            "family_name": "Rivera",
            "date_of_birth": "1990-04-01",
            "program_id": str(program.id),
        },
    )
    assert converted.status_code == 201, converted.text
    result = converted.json()
    patient = db.get(Patient, uuid.UUID(result["patient_id"]))
    assert patient is not None and patient.phone == "555-0100"
    enrollment = db.get(Enrollment, uuid.UUID(result["enrollment_id"]))
    assert enrollment is not None and enrollment.status == "pending"
    assert result["inquiry"]["status"] == "converted"
    again = admin.post(
        f"/api/v1/inquiries/{inquiry['id']}/convert",
        json={"given_name": "Sam", "family_name": "Rivera", "date_of_birth": "1990-04-01"},
    )
    assert again.status_code == 409


def test_the_inbox_is_for_intake_and_admins(
    app: object, client: TestClient, viewer: StaffClient, factories: Factories
) -> None:
    _submit(client)
    assert client.get("/api/v1/inquiries").status_code == 401
    assert viewer.get("/api/v1/inquiries").status_code == 403
    intake = login_as(client.app, factories, "intake")  # type: ignore[arg-type]
    assert intake.get("/api/v1/inquiries").status_code == 200
    missing = intake.get("/api/v1/inquiries/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
