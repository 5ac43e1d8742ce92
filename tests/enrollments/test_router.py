from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from homeward.enrollments.models import EnrollmentStatus
from homeward.homework.models import Homework, HomeworkCategory, HomeworkStatus, ReviewOutcome
from tests.enrollments.helpers import NOW, Clinic, audit_events, clinic, freeze, pending
from tests.factories import Factories, StaffClient, login_as
from tests.statements import count_queries

E = "/api/v1/enrollments"


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


@pytest.fixture
def day(factories: Factories) -> Clinic:
    return clinic(factories)


def test_the_whole_lifecycle_through_the_api(
    app: FastAPI, factories: Factories, clinician: StaffClient, day: Clinic, db: Session
) -> None:
    intake = login_as(app, factories, "intake")
    patient = factories.patient(given_name="Rosa", family_name="Diaz", mrn="HW-777001")
    created = intake.post(
        E, json={"patient_id": str(patient.id), "program_id": str(day.program.id)}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "pending"
    assert body["patient"] == {
        "id": str(patient.id),
        "mrn": "HW-777001",
        "given_name": "Rosa",
        "family_name": "Diaz",
    }
    assert body["program"]["name"] == day.program.name and body["current_phase"] is None
    one = f"{E}/{body['id']}"

    # Recorded two weeks late, in a program that has run since January.
    day.program.created_at = datetime(2026, 1, 5, tzinfo=UTC)
    db.flush()
    admitted = intake.post(f"{one}/admit", json={"admitted_on": "2026-02-16"})
    assert admitted.status_code == 200, admitted.text
    assert admitted.json()["current_phase"]["name"] == "Intensive"
    assert admitted.json()["expected_end_on"] == "2026-04-17"
    assert admitted.headers["ETag"] == f'"{admitted.json()["version"]}"'
    # Intake admits, but managing the stay is for clinicians.
    assert intake.post(f"{one}/hold").status_code == 403

    assert clinician.post(f"{one}/hold", json={"note": "surgery"}).json()["status"] == "on_hold"
    assert clinician.post(f"{one}/resume").json()["status"] == "active"
    moved = clinician.post(
        f"{one}/change-phase", json={"phase_id": str(day.taper.id), "reason": "steady progress"}
    )
    assert moved.json()["current_phase"]["name"] == "Taper"
    assert moved.json()["phase_started_on"] == "2026-03-02"
    extended = clinician.post(f"{one}/extend", json={"days": 10, "reason": "needs_more_support"})
    assert extended.json()["expected_end_on"] == "2026-04-27"
    completed = clinician.post(f"{one}/complete", json={"note": "graduated"})
    assert completed.json()["status"] == "completed"
    assert completed.json()["completed_on"] == "2026-03-02"

    refused = clinician.post(f"{one}/discharge", json={"reason": "administrative"})
    assert refused.status_code == 409
    assert refused.json()["type"] == "/problems/illegal-transition"
    assert "completed" in refused.json()["detail"]

    history = clinician.get(f"{one}/phase-history").json()
    assert [(h["from_phase_name"], h["to_phase_name"]) for h in history] == [
        (None, "Intensive"),
        ("Intensive", "Taper"),
    ]
    assert [e.action for e in audit_events(db, "enrollment.complete")] == ["enrollment.complete"]


@pytest.mark.parametrize(
    ("status", "action", "body"),
    [
        ("pending", "hold", None),
        ("pending", "complete", None),
        ("active", "admit", None),
        ("active", "resume", None),
        ("on_hold", "complete", None),
        ("discharged", "change-phase", {"phase_id": None, "reason": "x"}),
        ("completed", "extend", {"days": 3, "reason": "other"}),
    ],
)
def test_illegal_transitions_are_409_naming_the_status(
    clinician: StaffClient,
    factories: Factories,
    day: Clinic,
    status: str,
    action: str,
    body: dict[str, object] | None,
) -> None:
    if status == "pending":
        enrollment = pending(factories, day.program)
    else:
        enrollment = factories.enrollment(day.program, status=EnrollmentStatus(status))
    if body and "phase_id" in body:
        body["phase_id"] = str(day.taper.id)
    response = clinician.post(f"{E}/{enrollment.id}/{action}", json=body)
    assert response.status_code == 409
    assert response.json()["detail"].endswith(f"that is {status}")


def test_discharge_needs_a_known_reason(
    clinician: StaffClient, factories: Factories, day: Clinic
) -> None:
    enrollment = factories.enrollment(day.program)
    assert clinician.post(f"{E}/{enrollment.id}/discharge", json={}).status_code == 422
    wrong = clinician.post(f"{E}/{enrollment.id}/discharge", json={"reason": "bored"})
    assert wrong.status_code == 422
    done = clinician.post(
        f"{E}/{enrollment.id}/discharge", json={"reason": "against_medical_advice"}
    )
    assert done.json()["discharge_reason"] == "against_medical_advice"
    assert done.json()["discharged_on"] == "2026-03-02"


def test_capacity_409_and_audited_override(
    clinician: StaffClient, factories: Factories, db: Session
) -> None:
    small = clinic(factories, capacity=1)
    factories.enrollment(small.program)
    waiting = pending(factories, small.program)
    full = clinician.post(f"{E}/{waiting.id}/admit")
    assert full.status_code == 409
    assert full.json()["type"] == "/problems/program-at-capacity"
    overridden = clinician.post(f"{E}/{waiting.id}/admit", json={"override_capacity": True})
    assert overridden.status_code == 200
    (event,) = audit_events(db, "enrollment.admit")
    assert event.actor_id == clinician.user.id and event.patient_id == waiting.patient_id
    assert event.detail is not None and event.detail["capacity_override"] is True


def test_no_phases_and_duplicates_are_409(
    clinician: StaffClient, factories: Factories, day: Clinic
) -> None:
    bare = factories.program()
    no_phases = clinician.post(f"{E}/{pending(factories, bare).id}/admit")
    assert no_phases.json()["type"] == "/problems/program-has-no-phases"
    patient = factories.patient()
    body = {"patient_id": str(patient.id), "program_id": str(day.program.id)}
    assert clinician.post(E, json=body).status_code == 201
    twice = clinician.post(E, json=body)
    assert twice.status_code == 409 and twice.json()["type"] == "/problems/already-enrolled"
    unknown = clinician.post(E, json=body | {"program_id": str(patient.id)})
    assert unknown.status_code == 422


def test_patch_needs_the_current_etag(
    clinician: StaffClient, factories: Factories, day: Clinic
) -> None:
    enrollment = factories.enrollment(day.program)
    one = f"{E}/{enrollment.id}"
    etag = clinician.get(one).headers["ETag"]
    change = {"primary_clinician_id": str(clinician.user.id)}
    assert clinician.patch(one, json=change).status_code == 428
    updated = clinician.patch(one, json=change, headers={"If-Match": etag})
    assert updated.status_code == 200
    assert updated.json()["primary_clinician_id"] == str(clinician.user.id)
    assert updated.headers["ETag"] != etag
    stale = clinician.patch(one, json={"expected_end_on": "2026-05-01"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    fresh = {"If-Match": updated.headers["ETag"]}
    early = clinician.patch(one, json={"expected_end_on": "2026-01-01"}, headers=fresh)
    assert early.status_code == 422
    too_late = clinician.patch(one, json={"expected_end_on": "9999-12-31"}, headers=fresh)
    assert too_late.status_code == 422
    nobody = clinician.patch(one, json={"primary_clinician_id": str(enrollment.id)}, headers=fresh)
    assert nobody.status_code == 422
    # An action sent with a stale ETag is refused too.
    assert clinician.post(f"{one}/hold", headers={"If-Match": etag}).status_code == 412


def test_list_filters_and_pages(
    app: FastAPI, clinician: StaffClient, factories: Factories, day: Clinic
) -> None:
    other = clinic(factories)
    # Newest first: each one created a day after the one before.
    mine = factories.enrollment(
        day.program, primary_clinician_id=clinician.user.id, created_at=NOW - timedelta(3)
    )
    held = factories.enrollment(
        day.program, status=EnrollmentStatus.on_hold, created_at=NOW - timedelta(2)
    )
    elsewhere = factories.enrollment(
        other.program, patient_id=mine.patient_id, created_at=NOW - timedelta(1)
    )

    def ids(**params: object) -> list[str]:
        response = clinician.get(E, params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids(program_id=str(day.program.id)) == [str(held.id), str(mine.id)]
    assert ids(program_id=str(day.program.id), status="on_hold") == [str(held.id)]
    assert set(ids(status=["on_hold", "active"], program_id=str(other.program.id))) == {
        str(elsewhere.id)
    }
    assert ids(patient_id=str(mine.patient_id)) == [str(elsewhere.id), str(mine.id)]
    assert ids(caseload="mine") == [str(mine.id)]
    assert clinician.get(E, params={"caseload": "theirs"}).status_code == 422

    first = clinician.get(E, params={"program_id": str(day.program.id), "limit": 1}).json()
    assert [i["id"] for i in first["items"]] == [str(held.id)]
    rest = clinician.get(
        E, params={"program_id": str(day.program.id), "cursor": first["next_cursor"]}
    ).json()
    assert [i["id"] for i in rest["items"]] == [str(mine.id)] and rest["next_cursor"] is None


def test_listing_enrollments_runs_the_same_statements_for_3_and_12_rows(
    clinician: StaffClient, factories: Factories, db: Session
) -> None:
    def listed(size: int) -> int:
        place = clinic(factories)
        for n in range(size):
            factories.enrollment(place.program, place.taper if n % 2 else place.intensive)
        with count_queries(db) as statements:
            response = clinician.get(E, params={"program_id": str(place.program.id)})
        items = response.json()["items"]
        assert len(items) == size
        assert {item["current_phase"]["name"] for item in items} == (
            {"Intensive", "Taper"} if size > 1 else {"Intensive"}
        )
        return len(statements)

    assert listed(3) == listed(12)


def test_reads_are_audited_with_the_patient(
    clinician: StaffClient, factories: Factories, day: Clinic, db: Session
) -> None:
    enrollment = factories.enrollment(day.program)
    assert clinician.get(f"{E}/{enrollment.id}").status_code == 200
    (event,) = audit_events(db, "enrollment.read")
    assert event.patient_id == enrollment.patient_id and event.actor_id == clinician.user.id
    clinician.get(E)
    (listed,) = audit_events(db, "enrollment.list")
    assert listed.resource_id is None and listed.detail is not None and "count" in listed.detail
    assert clinician.get(f"{E}/{day.program.id}").status_code == 404


def test_treatment_plan_etag(clinician: StaffClient, factories: Factories, day: Clinic) -> None:
    enrollment = factories.enrollment(day.program)
    plan_url = f"{E}/{enrollment.id}/treatment-plan"
    assert clinician.get(plan_url).status_code == 404
    plan = {
        "triggers": ["stress at work"],
        "coping_strategies": ["walk", "call sponsor"],
        "goals": [{"description": "Stay sober", "objectives": ["90 meetings in 90 days"]}],
        "sobriety_plan": "Sponsor, meetings, outpatient follow-up.",
    }
    first = clinician.put(plan_url, json=plan)
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == '"1"'
    assert first.json()["goals"][0]["status"] == "not_started"
    assert clinician.put(plan_url, json=plan).status_code == 428
    read = clinician.get(plan_url)
    assert read.headers["ETag"] == '"1"' and read.json()["triggers"] == ["stress at work"]
    plan["goals"][0]["status"] = "in_progress"  # type: ignore[index]
    second = clinician.put(plan_url, json=plan, headers={"If-Match": '"1"'})
    assert second.status_code == 200 and second.headers["ETag"] == '"2"'
    stale = clinician.put(plan_url, json=plan, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    bad = clinician.put(plan_url, json={"goals": [{"description": ""}]}, headers={"If-Match": "*"})
    assert bad.status_code == 422


def test_events_through_the_api(
    app: FastAPI, factories: Factories, day: Clinic, db: Session
) -> None:
    medical = login_as(app, factories, "medical")
    enrollment = factories.enrollment(day.program)
    url = f"{E}/{enrollment.id}/events"
    screen = {"kind": "drug_screen", "occurred_on": "2026-03-01", "result": "negative"}
    created = medical.post(url, json=screen)
    assert created.status_code == 201, created.text
    assert created.json()["substances"] == []
    assert medical.post(url, json=screen | {"result": None}).status_code == 422
    assert medical.post(url, json=screen | {"occurred_on": "2026-03-05"}).status_code == 422
    assert medical.post(url, json=screen | {"occurred_on": "2025-12-31"}).status_code == 422
    assert medical.post(url, json=screen | {"kind": "party"}).status_code == 422
    medical.post(url, json={"kind": "crisis", "occurred_on": "2026-03-02", "note": "ER visit"})
    listed = medical.get(url).json()
    assert [e["kind"] for e in listed["items"]] == ["crisis", "drug_screen"]
    (event,) = audit_events(db, "event.create")[:1]
    assert event.patient_id == enrollment.patient_id


def test_timeline_through_the_api(
    clinician: StaffClient,
    factories: Factories,
    day: Clinic,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enrollment = factories.enrollment(day.program)
    one = f"{E}/{enrollment.id}"
    # Minutes apart: a sign-in session idles out after 15 minutes.
    clinician.post(f"{one}/hold", json={"note": "family emergency"})
    freeze(monkeypatch, NOW + timedelta(minutes=5))
    clinician.post(f"{one}/resume")
    freeze(monkeypatch, NOW + timedelta(minutes=10))
    clinician.post(f"{one}/events", json={"kind": "medical", "occurred_on": "2026-03-02"})
    db.add(
        Homework(
            enrollment_id=enrollment.id,
            title="Reading: Chapter 5",
            category=HomeworkCategory.reading,
            due_at=NOW,
            status=HomeworkStatus.reviewed,
            reviewed_at=NOW + timedelta(minutes=12),
            review_outcome=ReviewOutcome.needs_revision,
            feedback="Say more about the triggers",
        )
    )
    db.add(
        Homework(
            enrollment_id=enrollment.id,
            title="Not reviewed yet",
            category=HomeworkCategory.other,
            due_at=NOW,
        )
    )
    db.flush()
    response = clinician.get(f"{one}/timeline")
    assert response.status_code == 200, response.text
    items = response.json()
    assert [(item["kind"], item["summary"]) for item in items] == [
        ("homework_review", "Homework reviewed: Reading: Chapter 5 (needs revision)"),
        ("event", "Medical"),
        ("status_change", "Resumed"),
        ("status_change", "Put on hold: family emergency"),
    ]
    assert datetime.fromisoformat(items[0]["at"]) == (NOW + timedelta(minutes=12)).astimezone(UTC)
    assert items[0]["detail"]["feedback"] == "Say more about the triggers"
    assert items[3]["by_id"] == str(clinician.user.id)
