"""Staff POSTs that create something take an optional Idempotency-Key: a retry is safe."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from homeward.enrollments.models import ClinicalEvent
from homeward.patients.models import Patient
from tests.factories import Factories, StaffClient

PATIENT = {"given_name": "Avery", "family_name": "Quinn", "date_of_birth": "1988-02-03"}


def _patients(db: Session) -> int:
    return (
        db.scalar(select(func.count()).select_from(Patient).where(Patient.family_name == "Quinn"))
        or 0
    )


def test_a_retried_patient_is_created_once(admin: StaffClient, db: Session) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = admin.post("/api/v1/patients", json=PATIENT, headers=key)
    assert first.status_code == 201, first.text
    retry = admin.post("/api/v1/patients", json=PATIENT, headers=key)
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    assert _patients(db) == 1
    changed = admin.post("/api/v1/patients", json={**PATIENT, "given_name": "Ari"}, headers=key)
    assert changed.status_code == 422
    assert _patients(db) == 1


def test_without_a_key_each_post_creates(admin: StaffClient, db: Session) -> None:
    assert admin.post("/api/v1/patients", json=PATIENT).status_code == 201
    second = admin.post("/api/v1/patients", json=PATIENT)
    assert second.status_code == 201
    assert "idempotent-replayed" not in second.headers
    assert _patients(db) == 2


def test_keys_are_per_user(admin: StaffClient, clinician: StaffClient, db: Session) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert admin.post("/api/v1/patients", json=PATIENT, headers=key).status_code == 201
    theirs = clinician.post("/api/v1/patients", json=PATIENT, headers=key)
    assert theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert _patients(db) == 2


def test_a_retried_event_is_recorded_once(
    clinician: StaffClient, db: Session, factories: Factories
) -> None:
    program = factories.program()
    factories.phase(program, [factories.slot(program)])
    enrollment = factories.enrollment(program)
    path = f"/api/v1/enrollments/{enrollment.id}/events"
    event = {"kind": "relapse", "occurred_on": "2026-01-20", "substances": ["alcohol"]}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = clinician.post(path, json=event, headers=key)
    assert first.status_code == 201, first.text
    retry = clinician.post(path, json=event, headers=key)
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]
    count = db.scalar(
        select(func.count())
        .select_from(ClinicalEvent)
        .where(ClinicalEvent.enrollment_id == enrollment.id)
    )
    assert count == 1
