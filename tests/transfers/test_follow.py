"""The transfer follows the enrollment it became, whichever path completes or discharges it:
an action by hand, tapering's approved recommendation, or its automatic change."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor
from homeward.enrollments.models import Enrollment
from homeward.programs.models import Program
from homeward.tapering.evaluation import evaluate
from homeward.webhooks.models import WebhookEvent
from tests.factories import Factories, StaffClient
from tests.statements import count_queries
from tests.transfers.helpers import PartnerClient, new_partner, transfer_body

T = "/api/v1/partner/transfers"
STAY_DAYS = 10
FINISH = {"metric": "days_enrolled", "op": ">=", "value": 0}


@pytest.fixture
def partner(app: FastAPI, factories: Factories) -> PartnerClient:
    return new_partner(app, factories)


@pytest.fixture
def program(factories: Factories) -> Program:
    # One phase, so the first is the last and completion may be proposed; running for a
    # year, so an admission can be dated days back.
    program = factories.program(timezone="UTC", created_at=clock.now() - timedelta(days=365))
    factories.phase(program, [factories.slot(program)])
    return program


def _admitted(
    partner: PartnerClient, admin: StaffClient, program: Program, scopes: list[str]
) -> dict[str, Any]:
    """A transfer accepted into `program` and admitted STAY_DAYS ago."""
    body = transfer_body()
    body["consent"]["scopes"] = scopes
    transfer = partner.submit(body).json()
    accepted = admin.post(
        f"/api/v1/transfers/{transfer['id']}/accept",
        json={"program_id": str(program.id), "start_date": clock.now().date().isoformat()},
    ).json()
    admitted_on = clock.now().date() - timedelta(days=STAY_DAYS)
    admit = admin.post(
        f"/api/v1/enrollments/{accepted['enrollment_id']}/admit",
        json={"admitted_on": admitted_on.isoformat()},
    )
    assert admit.status_code == 200, admit.text
    result: dict[str, Any] = accepted
    return result


def _rules(admin: StaffClient, program: Program, mode: str) -> None:
    rules = {"rules": [{"name": "finished", "action": "complete", "mode": mode, "when": FINISH}]}
    put = admin.put(f"/api/v1/programs/{program.id}/tapering-rules", json=rules)
    assert put.status_code == 200, put.text


def _announced(db: Session, transfer_id: str, event_type: str) -> WebhookEvent:
    events = db.scalars(select(WebhookEvent).where(WebhookEvent.event_type == event_type))
    (event,) = [e for e in events if e.data["transfer_id"] == transfer_id]
    return event


def _assert_completed(partner: PartnerClient, db: Session, transfer: dict[str, Any]) -> None:
    seen = partner.get(f"{T}/{transfer['id']}").json()
    assert seen["status"] == "completed"
    assert seen["outcome"]["status"] == "completed"
    assert seen["outcome"]["length_of_stay_days"] == STAY_DAYS
    event = _announced(db, transfer["id"], "enrollment.completed")
    assert event.data["status"] == "completed"
    assert event.data["length_of_stay_days"] == STAY_DAYS
    # Gated: it carries the patient, so it goes out only under the status consent.
    assert event.patient_id == uuid.UUID(transfer["patient_id"])
    assert event.consent_scope == "status_updates"


def test_an_approved_completion_moves_the_transfer_and_announces_it(
    partner: PartnerClient, admin: StaffClient, program: Program, db: Session
) -> None:
    transfer = _admitted(partner, admin, program, ["status_updates"])
    _rules(admin, program, "recommend")
    evaluated = admin.post("/api/v1/tapering/evaluate", json={"program_id": str(program.id)})
    assert evaluated.json()["created"] == 1, evaluated.text
    [proposal] = admin.get("/api/v1/tapering/recommendations").json()["items"]
    assert proposal["action"] == "complete"
    approved = admin.post(f"/api/v1/tapering/recommendations/{proposal['id']}/approve", json={})
    assert approved.status_code == 200, approved.text
    _assert_completed(partner, db, transfer)


def test_an_automatic_completion_moves_the_transfer_and_announces_it(
    partner: PartnerClient, admin: StaffClient, program: Program, db: Session
) -> None:
    transfer = _admitted(partner, admin, program, ["status_updates"])
    _rules(admin, program, "auto")
    evaluated = admin.post("/api/v1/tapering/evaluate", json={"program_id": str(program.id)})
    assert evaluated.json()["applied"] == 1, evaluated.text
    _assert_completed(partner, db, transfer)


def test_automatic_completions_follow_a_cohort_in_a_fixed_number_of_statements(
    partner: PartnerClient, admin: StaffClient, factories: Factories, db: Session
) -> None:
    def completed(size: int) -> int:
        program = factories.program(
            timezone="UTC", capacity=20, created_at=clock.now() - timedelta(days=365)
        )
        factories.phase(program, [factories.slot(program)])
        transfers = [_admitted(partner, admin, program, ["status_updates"]) for _ in range(size)]
        _rules(admin, program, "auto")
        with count_queries(db) as statements:
            counts = evaluate(db, Actor.system(), program_id=program.id)
        assert counts.applied == size
        for transfer in transfers:
            enrollment = db.get(Enrollment, uuid.UUID(transfer["enrollment_id"]))
            assert enrollment is not None and enrollment.status == "completed"
            _announced(db, transfer["id"], "enrollment.completed")
        return len(statements)

    assert completed(2) == completed(5)


def test_a_discharge_by_hand_moves_the_transfer_and_announces_it(
    partner: PartnerClient, admin: StaffClient, program: Program, db: Session
) -> None:
    transfer = _admitted(partner, admin, program, ["status_updates"])
    enrollment_url = f"/api/v1/enrollments/{transfer['enrollment_id']}"
    etag = admin.get(enrollment_url).headers["etag"]
    discharged = admin.post(
        f"{enrollment_url}/discharge",
        json={"reason": "against_medical_advice"},
        headers={"If-Match": etag},
    )
    assert discharged.status_code == 200, discharged.text
    seen = partner.get(f"{T}/{transfer['id']}").json()
    assert seen["status"] == "discharged"
    assert seen["outcome"]["length_of_stay_days"] == STAY_DAYS
    event = _announced(db, transfer["id"], "enrollment.discharged")
    assert event.data["length_of_stay_days"] == STAY_DAYS
    assert event.consent_scope == "status_updates"


def test_without_consent_the_completion_is_queued_gated_and_not_shown(
    partner: PartnerClient, admin: StaffClient, program: Program, db: Session
) -> None:
    transfer = _admitted(partner, admin, program, [])
    _rules(admin, program, "auto")
    admin.post("/api/v1/tapering/evaluate", json={"program_id": str(program.id)})
    # The transfer moved, but the partner is told nothing without the consent, and the
    # queued event waits on a consent that delivery will not find.
    assert partner.get(f"{T}/{transfer['id']}").json()["status"] == "consent_required"
    event = _announced(db, transfer["id"], "enrollment.completed")
    assert event.consent_scope == "status_updates"
