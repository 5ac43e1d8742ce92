"""Tapering over HTTP: rule sets and their versions, evaluation, the review queue."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from homeward.enrollments.models import Enrollment, PhaseChange
from homeward.sessions.models import RosterEntry
from homeward.tapering.models import Recommendation
from tests.factories import Factories, StaffClient, login_as
from tests.statements import count_queries
from tests.tapering.helpers import AS_OF, clinic, enroll, freeze, local, steady

ALWAYS = {"metric": "days_enrolled", "op": ">=", "value": 0}


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


def rules_url(program_id: object) -> str:
    return f"/api/v1/programs/{program_id}/tapering-rules"


def test_default_rule_set_is_version_zero(clinician: StaffClient, factories: Factories) -> None:
    place = clinic(factories, last_min_days=21)
    body = clinician.get(rules_url(place.program.id)).json()
    assert body["version"] == 0 and body["created_at"] is None
    by_name = {rule["name"]: rule for rule in body["rules"]}
    assert [rule["action"] for rule in body["rules"]] == [
        "step_down",
        "step_up",
        "extend",
        "complete",
        "review",
    ]
    assert by_name["relapse extends the stay"]["days"] == 14
    assert by_name["relapse extends the stay"]["mode"] == "auto"
    # Completion waits for the last phase's own minimum days.
    assert by_name["ready to complete"]["when"]["all"][0] == {
        "metric": "days_in_phase",
        "op": ">=",
        "value": 21,
    }
    assert by_name["attendance collapsed"]["when"]["all"][0] == {
        "metric": "attendance_rate",
        "window_days": 14,
        "op": "<",
        "value": 0.5,
    }


def test_every_put_is_a_new_version(admin: StaffClient, factories: Factories) -> None:
    place = clinic(factories)
    url = rules_url(place.program.id)
    first = {"rules": [{"name": "look", "action": "review", "when": ALWAYS}]}
    second = {
        "rules": [
            {"name": "look", "action": "review", "when": {"not": ALWAYS}},
            {"name": "longer", "action": "extend", "days": 7, "mode": "auto", "when": ALWAYS},
        ]
    }
    one = admin.put(url, json=first)
    assert one.status_code == 200, one.text
    assert one.json()["version"] == 1
    assert one.json()["created_by_id"] == str(admin.user.id)
    assert admin.put(url, json=second).json()["version"] == 2
    current = admin.get(url).json()
    assert current["version"] == 2 and current["rules"] == [
        {"name": "look", "action": "review", "mode": "recommend", "when": {"not": ALWAYS}},
        {"name": "longer", "action": "extend", "mode": "auto", "days": 7, "when": ALWAYS},
    ]
    older = admin.get(url, params={"version": 1}).json()
    assert older["version"] == 1 and older["rules"][0]["when"] == ALWAYS
    assert admin.get(url, params={"version": 0}).json()["rules"][0]["name"] == "steady progress"
    missing = admin.get(url, params={"version": 9})
    assert missing.status_code == 404
    assert missing.json()["type"] == "/problems/rule-set-version-not-found"
    versions = admin.get(f"{url}/versions").json()
    assert [v["version"] for v in versions["items"]] == [2, 1]


@pytest.mark.parametrize(
    ("rules", "loc"),
    [
        (
            [
                {"name": "a", "action": "review", "when": ALWAYS},
                {
                    "name": "b",
                    "action": "step_up",
                    "when": {"any": [{"metric": "days_in_phase", "op": ">=", "value": "lots"}]},
                },
            ],
            ["body", "rules", 1, "when", "any", 0, "value"],
        ),
        (
            [
                {
                    "name": "a",
                    "action": "review",
                    "when": {"all": [{"metric": "attendance_rate", "op": ">=", "value": 1}]},
                }
            ],
            ["body", "rules", 0, "when", "all", 0, "window_days"],
        ),
        (
            [
                {
                    "name": "a",
                    "action": "review",
                    "when": {"metric": "days_in_phase", "window_days": 7, "op": ">", "value": 1},
                }
            ],
            ["body", "rules", 0, "when", "window_days"],
        ),
        (
            [{"name": "a", "action": "review", "when": {**ALWAYS, "op": "!="}}],
            ["body", "rules", 0, "when", "op"],
        ),
        ([{"name": "a", "action": "extend", "when": ALWAYS}], ["body", "rules", 0, "days"]),
        (
            [{"name": "a", "action": "review", "days": 3, "when": ALWAYS}],
            ["body", "rules", 0, "days"],
        ),
        (
            [
                {"name": "a", "action": "review", "when": ALWAYS},
                {"name": "a", "action": "step_up", "when": ALWAYS},
            ],
            ["body", "rules"],
        ),
        (
            [{"name": "a", "action": "review", "when": {"not": {"metric": "nope"}}}],
            ["body", "rules", 0, "when", "not", "metric"],
        ),
        (
            [{"name": "a", "action": "review", "when": {"any": [ALWAYS], **ALWAYS}}],
            ["body", "rules", 0, "when"],
        ),
    ],
)
def test_validation_errors_point_at_the_rule_and_condition(
    admin: StaffClient, factories: Factories, rules: list[dict[str, Any]], loc: list[Any]
) -> None:
    place = clinic(factories)
    response = admin.put(rules_url(place.program.id), json={"rules": rules})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert loc in [error["loc"] for error in response.json()["errors"]]
    assert admin.get(rules_url(place.program.id)).json()["version"] == 0


def test_evaluate_list_and_approve_step_down(
    app: FastAPI, clinician: StaffClient, db: Session, factories: Factories
) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place, primary_clinician_id=clinician.user.id)
    other = enroll(factories, place)
    steady(factories, place, enrollment)
    steady(factories, place, other)
    # A future Monday session of the first slot (phases 1 and 2 attend it), and a
    # Friday one that only phase 1 attends.
    monday = AS_OF + timedelta(days=3)
    friday = AS_OF + timedelta(days=7)
    mine = factories.session(
        place.program, local(monday, 9), slot=place.slots[0], roster=[enrollment]
    )
    dropped = factories.session(
        place.program, local(friday, 9), slot=place.slots[4], roster=[enrollment]
    )

    evaluated = clinician.post(
        "/api/v1/tapering/evaluate", json={"program_id": str(place.program.id)}
    )
    assert evaluated.status_code == 200, evaluated.text
    assert evaluated.json() == {
        "programs": 1,
        "enrollments": 2,
        "created": 2,
        "superseded": 0,
        "applied": 0,
    }
    listed = clinician.get("/api/v1/tapering/recommendations", params={"caseload": "mine"})
    [item] = listed.json()["items"]
    assert item["enrollment_id"] == str(enrollment.id)
    assert item["evidence"][0]["metric"] == "attendance_rate"
    assert item["proposed_phase_id"] == str(place.phases[1].id)

    approved = clinician.post(
        f"/api/v1/tapering/recommendations/{item['id']}/approve", json={"note": "ready"}
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by_id"] == str(clinician.user.id)
    assert approved.json()["decision_note"] == "ready"
    db.expire_all()
    moved = db.get(Enrollment, enrollment.id)
    assert moved is not None and moved.current_phase_id == place.phases[1].id
    change = db.scalar(
        select(PhaseChange).where(
            PhaseChange.enrollment_id == enrollment.id,
            PhaseChange.to_phase_id == place.phases[1].id,
            PhaseChange.changed_by_id == clinician.user.id,
        )
    )
    assert change is not None
    rostered = set(
        db.scalars(select(RosterEntry.session_id).where(RosterEntry.enrollment_id == enrollment.id))
    )
    assert mine.id in rostered and dropped.id not in rostered

    again = clinician.post(f"/api/v1/tapering/recommendations/{item['id']}/approve", json={})
    assert again.status_code == 409
    assert again.json()["type"] == "/problems/recommendation-decided"


def test_stale_approval_is_409(clinician: StaffClient, db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    steady(factories, place, enrollment)
    clinician.post("/api/v1/tapering/evaluate", json={"program_id": str(place.program.id)})
    [item] = clinician.get("/api/v1/tapering/recommendations").json()["items"]
    moved = clinician.post(
        f"/api/v1/enrollments/{enrollment.id}/change-phase",
        json={"phase_id": str(place.phases[2].id), "reason": "by hand"},
    )
    assert moved.status_code == 200, moved.text
    # The change by hand superseded the proposal, so approving it now is a conflict.
    stale = clinician.post(f"/api/v1/tapering/recommendations/{item['id']}/approve", json={})
    assert stale.status_code == 409
    assert "superseded" in stale.json()["detail"]
    listed = clinician.get("/api/v1/tapering/recommendations", params={"status": "superseded"})
    assert [r["id"] for r in listed.json()["items"]] == [item["id"]]


def test_dismiss_needs_a_reason(clinician: StaffClient, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    steady(factories, place, enrollment)
    clinician.post("/api/v1/tapering/evaluate", json={"program_id": str(place.program.id)})
    [item] = clinician.get("/api/v1/tapering/recommendations").json()["items"]
    url = f"/api/v1/tapering/recommendations/{item['id']}/dismiss"
    assert clinician.post(url, json={}).status_code == 422
    assert clinician.post(url, json={"reason": " "}).status_code == 422
    dismissed = clinician.post(url, json={"reason": "family week"})
    assert dismissed.status_code == 200
    assert dismissed.json()["status"] == "dismissed"
    listed = clinician.get("/api/v1/tapering/recommendations", params={"status": "pending"})
    assert listed.json()["items"] == []


def test_evaluate_rejects_a_future_date_and_unknown_program(
    clinician: StaffClient, factories: Factories
) -> None:
    place = clinic(factories)
    future = clinician.post(
        "/api/v1/tapering/evaluate",
        json={
            "program_id": str(place.program.id),
            "as_of": (AS_OF + timedelta(days=2)).isoformat(),
        },
    )
    assert future.status_code == 422
    assert future.json()["errors"][0]["loc"] == ["body", "as_of"]
    unknown = clinician.post(
        "/api/v1/tapering/evaluate", json={"program_id": "00000000-0000-0000-0000-000000000000"}
    )
    assert unknown.status_code == 404


def test_recommendation_list_runs_constant_queries(
    app: FastAPI, db: Session, factories: Factories
) -> None:
    medical = login_as(app, factories, "medical")
    place = clinic(factories)
    admin = login_as(app, factories, "admin")
    admin.put(
        rules_url(place.program.id),
        json={"rules": [{"name": "look", "action": "review", "when": ALWAYS}]},
    )
    counts = []
    for size in (2, 9):
        for _ in range(size - (2 if size == 9 else 0)):
            enroll(factories, place)
        admin.post("/api/v1/tapering/evaluate", json={"program_id": str(place.program.id)})
        total = db.scalar(
            select(func.count())
            .select_from(Recommendation)
            .where(Recommendation.program_id == place.program.id)
        )
        assert total == size
        with count_queries(db) as statements:
            page = medical.get(
                "/api/v1/tapering/recommendations", params={"program_id": str(place.program.id)}
            )
        assert len(page.json()["items"]) == size
        counts.append(len(statements))
    assert counts[0] == counts[1]
    first = medical.get("/api/v1/tapering/recommendations", params={"limit": 4})
    assert len(first.json()["items"]) == 4 and first.json()["next_cursor"]
