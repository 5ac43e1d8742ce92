"""Each transfer change writes its webhook event, gated by consent from acceptance on."""

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.webhooks.models import WebhookEvent
from tests.factories import Factories, StaffClient
from tests.transfers.helpers import PartnerClient, new_partner, transfer_body


@pytest.fixture
def partner(app: FastAPI, factories: Factories) -> PartnerClient:
    return new_partner(app, factories)


def _events(db: Session, partner: PartnerClient) -> list[tuple[str, str | None, bool]]:
    rows = db.scalars(
        select(WebhookEvent)
        .where(WebhookEvent.partner_id == partner.partner.id)
        .order_by(WebhookEvent.created_at, WebhookEvent.id)
    )
    return [(e.event_type, e.consent_scope, e.patient_id is not None) for e in rows]


def test_the_lifecycle_announces_itself(
    partner: PartnerClient, admin: StaffClient, db: Session, factories: Factories
) -> None:
    program = factories.program()
    factories.phase(program, [factories.slot(program)])
    transfer = partner.submit().json()
    tid = transfer["id"]
    admin.post(f"/api/v1/transfers/{tid}/request-info", json={"message": "Medication list?"})
    admin.post(f"/api/v1/transfers/{tid}/messages", json={"body": "Thanks"})
    accepted = admin.post(
        f"/api/v1/transfers/{tid}/accept",
        json={"program_id": str(program.id), "start_date": clock.now().date().isoformat()},
    ).json()
    admin.post(f"/api/v1/enrollments/{accepted['enrollment_id']}/admit", json={})
    assert _events(db, partner) == [
        ("transfer.received", None, False),
        ("transfer.info_requested", None, False),
        ("transfer.message", None, False),
        ("transfer.accepted", "status_updates", True),
        ("enrollment.admitted", "status_updates", True),
    ]
    admitted = db.scalars(
        select(WebhookEvent).where(WebhookEvent.event_type == "enrollment.admitted")
    ).one()
    assert admitted.data["transfer_id"] == tid
    assert admitted.data["status"] == "admitted"


def test_a_decline_is_announced_with_its_reason(
    partner: PartnerClient, admin: StaffClient, db: Session
) -> None:
    tid = partner.submit().json()["id"]
    admin.post(
        f"/api/v1/transfers/{tid}/decline",
        json={"reason_code": "medical_first", "reason": "Cardiac follow-up first"},
    )
    declined = db.scalars(
        select(WebhookEvent).where(
            WebhookEvent.partner_id == partner.partner.id,
            WebhookEvent.event_type == "transfer.declined",
        )
    ).one()
    assert declined.data["decision"]["reason_code"] == "medical_first"
    assert declined.consent_scope is None


def test_screening_answers_get_their_outcome(partner: PartnerClient, admin: StaffClient) -> None:
    answers = {
        "severity": "needs_more_support",
        "medical_condition": "none_untreated",
        "home_confidence": "confident",
        "detox": "needed",
        "schedule": "most_of_day",
    }
    transfer = partner.submit(transfer_body(screening=answers)).json()
    assert transfer["screening"] == answers
    detail = admin.get(f"/api/v1/transfers/{transfer['id']}").json()
    assert detail["screening_outcome"] == "detox_first"
    bad = partner.submit(transfer_body(screening={**answers, "detox": "maybe"}))
    assert bad.status_code == 422
