"""The public self-check and contact form: outcome and guidance, rate limit, honeypot."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from homeward.inquiries.models import Inquiry
from homeward.screening.service import GUIDANCE, QUESTIONS

FIT = {
    "severity": "needs_more_support",
    "medical_condition": "none_untreated",
    "home_confidence": "confident",
    "detox": "completed",
    "schedule": "most_of_day",
}


def _form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": "Sam Rivera",
        "phone": "555-0100",
        "preferred_contact": "phone",
        "answers": FIT,
        "message": "I would like to start soon.",
    }
    form.update(overrides)
    return form


def _stored(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Inquiry)) or 0


def test_the_questions_are_public(client: TestClient) -> None:
    response = client.get("/api/v1/public/screening-questions")
    assert response.status_code == 200
    questions = response.json()
    assert [q["field"] for q in questions] == [q.field for q in QUESTIONS]
    assert len(questions) == 5 and all(len(q["options"]) >= 2 for q in questions)


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        ({}, "iop_appropriate"),
        ({"severity": "therapy_alone_enough"}, "lower_level"),
        ({"medical_condition": "untreated_serious_condition"}, "medical_first"),
        ({"home_confidence": "not_confident"}, "consider_inpatient"),
        ({"detox": "needed"}, "detox_first"),
        ({"schedule": "evenings_only"}, "schedule"),
    ],
)
def test_an_inquiry_answers_with_the_outcome_and_stores_it(
    client: TestClient, db: Session, answer: dict[str, str], outcome: str
) -> None:
    before = _stored(db)
    response = client.post("/api/v1/public/inquiries", json=_form(answers=FIT | answer))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["outcome"] == outcome and body["guidance"] == GUIDANCE[outcome]  # type: ignore[index]
    assert set(body) == {"outcome", "guidance", "next_steps"}  # nothing stored is echoed
    assert "Sam" not in response.text and "555-0100" not in response.text
    assert _stored(db) == before + 1
    stored = db.scalars(select(Inquiry).order_by(Inquiry.created_at.desc()).limit(1)).one()
    assert stored.outcome == outcome and stored.status == "new"


def test_the_honeypot_is_answered_alike_but_stores_nothing(client: TestClient, db: Session) -> None:
    before = _stored(db)
    response = client.post(
        "/api/v1/public/inquiries", json=_form(website="http://cheap-pills.example")
    )
    assert response.status_code == 201
    assert response.json()["outcome"] == "iop_appropriate"
    assert _stored(db) == before


def test_inquiries_are_rate_limited_per_address(client: TestClient, db: Session) -> None:
    limit = client.app.state.settings.public_rate_limit_per_minute  # type: ignore[attr-defined]
    for _ in range(limit):
        assert client.post("/api/v1/public/inquiries", json=_form()).status_code == 201
    refused = client.post("/api/v1/public/inquiries", json=_form())
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["content-type"].startswith("application/problem+json")
    other = TestClient(client.app, client=("203.0.113.9", 5000), raise_server_exceptions=False)
    assert other.post("/api/v1/public/inquiries", json=_form()).status_code == 201


def test_bad_forms_get_a_clear_422(client: TestClient) -> None:
    no_phone = client.post("/api/v1/public/inquiries", json=_form(phone=None))
    assert no_phone.status_code == 422 and "phone we can reach you" in no_phone.text
    unknown = client.post("/api/v1/public/inquiries", json=_form(answers=FIT | {"detox": "maybe"}))
    assert unknown.status_code == 422


def test_nul_characters_are_refused_as_bad_input(client: TestClient) -> None:
    response = client.post("/api/v1/public/inquiries", json=_form(message="hi\x00there"))
    assert response.status_code == 422 and "U+0000" in response.text
