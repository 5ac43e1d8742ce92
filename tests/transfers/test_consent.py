"""After acceptance the partner learns only what the patient's consent allows; each
disclosure is recorded."""

import uuid
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.disclosures.models import PART2_NOTICE, Disclosure
from homeward.enrollments.models import Enrollment
from homeward.programs.models import Program
from homeward.sessions.models import Attendance, AttendanceStatus
from tests.factories import Factories, StaffClient
from tests.statements import count_queries
from tests.transfers.helpers import PartnerClient, new_partner, transfer_body

T = "/api/v1/partner/transfers"


@pytest.fixture
def partner(app: FastAPI, factories: Factories) -> PartnerClient:
    return new_partner(app, factories)


@pytest.fixture
def program(factories: Factories) -> Program:
    # Running for a year, so an admission can be dated in the weeks before today.
    program = factories.program(
        capacity=5, timezone="UTC", created_at=clock.now() - timedelta(days=365)
    )
    factories.phase(program, [factories.slot(program)])
    return program


def _accepted(
    partner: PartnerClient, admin: StaffClient, program: Program, scopes: list[str]
) -> dict[str, object]:
    body = transfer_body()
    body["consent"]["scopes"] = scopes
    transfer = partner.submit(body).json()
    accepted = admin.post(
        f"/api/v1/transfers/{transfer['id']}/accept",
        json={"program_id": str(program.id), "start_date": clock.now().date().isoformat()},
    )
    assert accepted.status_code == 200, accepted.text
    result: dict[str, object] = accepted.json()
    return result


def _disclosures(db: Session, patient_id: object) -> list[Disclosure]:
    return list(
        db.scalars(select(Disclosure).where(Disclosure.patient_id == uuid.UUID(str(patient_id))))
    )


def test_status_updates_show_the_status_and_are_recorded(
    partner: PartnerClient, admin: StaffClient, program: Program, db: Session
) -> None:
    accepted = _accepted(partner, admin, program, ["status_updates"])
    seen = partner.get(f"{T}/{accepted['id']}").json()
    assert seen["status"] == "accepted"
    assert seen["decision"]["program_id"] == str(program.id)
    assert seen["notice"] == PART2_NOTICE
    assert seen["attendance"] is None
    listed = partner.get(T).json()["items"]
    assert listed[0]["status"] == "accepted"
    records = admin.get(f"/api/v1/patients/{accepted['patient_id']}/disclosures").json()["items"]
    assert len(records) == 2
    assert {r["channel"] for r in records} == {"api"}
    assert {r["notice"] for r in records} == {PART2_NOTICE}
    assert {r["transfer_id"] for r in records} == {accepted["id"]}


def test_without_a_status_consent_the_partner_sees_consent_required(
    partner: PartnerClient, admin: StaffClient, program: Program, db: Session
) -> None:
    accepted = _accepted(partner, admin, program, [])
    seen = partner.get(f"{T}/{accepted['id']}").json()
    assert seen["status"] == "consent_required"
    assert seen["decision"] is None
    assert seen["notice"] is None
    assert _disclosures(db, accepted["patient_id"]) == []


def test_revocation_hides_later_statuses(
    partner: PartnerClient, admin: StaffClient, program: Program, db: Session
) -> None:
    accepted = _accepted(partner, admin, program, ["status_updates"])
    patient_id = accepted["patient_id"]
    consents = admin.get(f"/api/v1/patients/{patient_id}/consents").json()
    revoked = admin.post(f"/api/v1/patients/{patient_id}/consents/{consents[0]['id']}/revoke")
    assert revoked.status_code == 200, revoked.text
    admitted = admin.post(f"/api/v1/enrollments/{accepted['enrollment_id']}/admit", json={})
    assert admitted.status_code == 200, admitted.text
    seen = partner.get(f"{T}/{accepted['id']}").json()
    assert seen["status"] == "consent_required"
    assert _disclosures(db, patient_id) == []


def test_the_lifecycle_follows_the_enrollment_with_attendance_and_outcome(
    partner: PartnerClient,
    admin: StaffClient,
    program: Program,
    db: Session,
    factories: Factories,
) -> None:
    accepted = _accepted(partner, admin, program, ["status_updates", "attendance"])
    enrollment_id = accepted["enrollment_id"]
    today = clock.now().date()
    admitted_on = (today - timedelta(days=10)).isoformat()
    admit = admin.post(
        f"/api/v1/enrollments/{enrollment_id}/admit", json={"admitted_on": admitted_on}
    )
    assert admit.status_code == 200, admit.text
    assert partner.get(f"{T}/{accepted['id']}").json()["status"] == "admitted"

    enrollment = db.get(Enrollment, uuid.UUID(str(enrollment_id)))
    assert enrollment is not None
    start = clock.now() - timedelta(days=2)
    attended = factories.session(program, start, roster=[enrollment])
    factories.session(program, start + timedelta(hours=4), roster=[enrollment])
    db.add(
        Attendance(
            session_id=attended.id,
            enrollment_id=enrollment.id,
            status=AttendanceStatus.present,
            minutes_attended=180,
        )
    )
    db.flush()
    weeks = partner.get(f"{T}/{accepted['id']}").json()["attendance"]
    assert sum(w["sessions_rostered"] for w in weeks) == 2
    assert sum(w["sessions_attended"] for w in weeks) == 1

    etag = admin.get(f"/api/v1/enrollments/{enrollment_id}").headers["etag"]
    done = admin.post(
        f"/api/v1/enrollments/{enrollment_id}/complete",
        json={"completed_on": today.isoformat()},
        headers={"If-Match": etag},
    )
    assert done.status_code == 200, done.text
    seen = partner.get(f"{T}/{accepted['id']}").json()
    assert seen["status"] == "completed"
    assert seen["outcome"] == {
        "status": "completed",
        "admitted_on": admitted_on,
        "ended_on": today.isoformat(),
        "length_of_stay_days": 10,
    }


def test_a_page_of_disclosed_transfers_runs_the_same_statements_for_2_and_8_rows(
    partner: PartnerClient, admin: StaffClient, factories: Factories, db: Session
) -> None:
    # Capacity for every acceptance, so the page holds only transfers the partner is told of.
    program = factories.program(capacity=20, timezone="UTC")
    factories.phase(program, [factories.slot(program)])

    def disclosed() -> int:
        mine = select(func.count()).where(Disclosure.partner_id == partner.partner.id)
        return db.scalar(mine) or 0

    def listed(accepted: int) -> list[str]:
        while len(partner.get(T, params={"status": "accepted"}).json()["items"]) < accepted:
            _accepted(partner, admin, program, ["status_updates"])
        before = disclosed()
        with count_queries(db) as statements:
            response = partner.get(T, params={"status": "accepted", "limit": 200})
        items = response.json()["items"]
        assert len(items) == accepted
        assert {item["notice"] for item in items} == {PART2_NOTICE}
        # Each row shown was recorded, by one insert for the page.
        assert disclosed() - before == accepted
        inserts = [
            s for s in statements if s.lstrip().upper().startswith("INSERT INTO DISCLOSURES")
        ]
        assert len(inserts) == 1
        return statements

    assert len(listed(2)) == len(listed(8))
