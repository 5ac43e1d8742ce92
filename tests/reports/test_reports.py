import csv
import io
from datetime import date, time

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.models import AuditEvent
from homeward.audit.service import Actor
from homeward.enrollments.models import EnrollmentStatus
from homeward.reports import service
from homeward.reports.router import wants_csv
from homeward.reports.tables import CENSUS_COLUMNS, OUTCOME_COLUMNS
from tests.factories import Factories, StaffClient, login_as
from tests.reports.helpers import NOW, build_small_clinic, homework
from tests.statements import count_queries

FEBRUARY = {"from": "2026-02-01", "to": "2026-02-28"}


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def test_census_counts_by_program_and_phase(db: Session, factories: Factories) -> None:
    clinic = build_small_clinic(factories)
    report = service.census(db, Actor.system())

    assert [p.program_name for p in report.programs] == ["Alpha IOP", "Beta PHP"]
    alpha, beta = report.programs
    assert (alpha.active, alpha.on_hold, alpha.capacity) == (3, 1, 10)
    assert (alpha.capacity_used, alpha.capacity_used_percent) == (4, 40.0)
    assert [(p.phase_name, p.active, p.on_hold) for p in alpha.phases] == [
        ("Alpha 1", 2, 0),
        ("Alpha 2", 1, 1),
    ]
    assert alpha.phases[0].phase_id == clinic.alpha_phases[0].id
    assert (beta.active, beta.on_hold, beta.capacity_used, beta.capacity_used_percent) == (
        1,
        0,
        1,
        25.0,
    )
    overall = report.overall
    assert (overall.active, overall.on_hold, overall.capacity) == (4, 1, 14)
    assert (overall.capacity_used, overall.capacity_used_percent) == (5, 35.7)


def test_an_archived_program_with_clients_still_counts(db: Session, factories: Factories) -> None:
    clinic = build_small_clinic(factories)
    clinic.beta.archived = True
    db.flush()
    names = [p.program_name for p in service.census(db, Actor.system()).programs]
    assert names == ["Alpha IOP", "Beta PHP"]


def test_outcomes_for_february(db: Session, factories: Factories) -> None:
    build_small_clinic(factories)
    report = service.outcomes(db, Actor.system(), date(2026, 2, 1), date(2026, 2, 28))

    assert (report.from_, report.to) == (date(2026, 2, 1), date(2026, 2, 28))
    alpha, beta = report.programs
    assert alpha.program_name == "Alpha IOP"
    assert (alpha.completions, alpha.discharges) == (1, 1)
    assert alpha.discharges_by_reason.against_medical_advice == 1
    assert alpha.discharges_by_reason.administrative == 0  # discharged in December
    assert alpha.average_length_of_stay_days == 28.0  # (46 + 10) / 2
    assert (alpha.enrollments_in_care, alpha.enrollments_with_relapse) == (6, 2)
    assert alpha.relapse_share == 0.3333
    assert (alpha.homework_due, alpha.homework_submitted) == (4, 2)
    assert alpha.homework_completion_rate == 0.5

    assert (beta.completions, beta.discharges) == (1, 1)
    assert beta.discharges_by_reason.transferred_to_higher_level == 1
    assert beta.average_length_of_stay_days == 17.0  # (30 + 4) / 2
    assert (beta.enrollments_in_care, beta.enrollments_with_relapse) == (3, 0)
    assert beta.relapse_share == 0.0
    assert (beta.homework_due, beta.homework_submitted, beta.homework_completion_rate) == (
        1,
        1,
        1.0,
    )

    overall = report.overall
    assert (overall.completions, overall.discharges) == (2, 2)
    assert overall.discharges_by_reason.model_dump() == {
        "completed": 0,
        "against_medical_advice": 1,
        "administrative": 0,
        "transferred_to_higher_level": 1,
        "other": 0,
    }
    assert overall.average_length_of_stay_days == 22.5
    assert (overall.enrollments_in_care, overall.enrollments_with_relapse) == (9, 2)
    assert overall.relapse_share == 0.2222
    assert (overall.homework_due, overall.homework_submitted) == (5, 3)
    assert overall.homework_completion_rate == 0.6


def test_outcomes_count_only_homework_already_due(db: Session, factories: Factories) -> None:
    build_small_clinic(factories)
    report = service.outcomes(db, Actor.system(), date(2026, 3, 1), date(2026, 3, 10))
    alpha, beta = report.programs
    assert (alpha.homework_due, alpha.homework_submitted, alpha.homework_completion_rate) == (
        1,
        0,
        0.0,
    )
    assert (beta.homework_due, beta.homework_completion_rate) == (0, None)
    assert (alpha.completions, alpha.average_length_of_stay_days) == (0, None)


def test_outcomes_json_through_the_api(factories: Factories, viewer: StaffClient) -> None:
    build_small_clinic(factories)
    response = viewer.get("/api/v1/reports/outcomes", params=FEBRUARY)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"]) == ("2026-02-01", "2026-02-28")
    assert body["overall"]["average_length_of_stay_days"] == 22.5
    assert body["overall"]["discharges_by_reason"]["against_medical_advice"] == 1
    assert [p["program_name"] for p in body["programs"]] == ["Alpha IOP", "Beta PHP"]


def test_outcomes_default_to_the_last_90_days(factories: Factories, viewer: StaffClient) -> None:
    body = viewer.get("/api/v1/reports/outcomes").json()
    assert (body["from"], body["to"]) == ("2025-12-03", "2026-03-02")


@pytest.mark.parametrize(
    "params",
    [{"from": "2026-03-01", "to": "2026-02-01"}, {"from": "2000-01-01"}, {"from": "March"}],
)
def test_bad_ranges_are_422(viewer: StaffClient, params: dict[str, str]) -> None:
    response = viewer.get("/api/v1/reports/outcomes", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"] == ["query", "from"]


def _table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_census_as_csv(factories: Factories, clinician: StaffClient) -> None:
    build_small_clinic(factories)
    response = clinician.get("/api/v1/reports/census", headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert response.text.splitlines()[0] == ",".join(CENSUS_COLUMNS)
    rows = _table(response.text)
    assert [(r["scope"], r["program_name"], r["phase_name"]) for r in rows] == [
        ("phase", "Alpha IOP", "Alpha 1"),
        ("phase", "Alpha IOP", "Alpha 2"),
        ("program", "Alpha IOP", ""),
        ("phase", "Beta PHP", "Beta 1"),
        ("program", "Beta PHP", ""),
        ("overall", "", ""),
    ]
    assert rows[1]["active"] == "1" and rows[1]["on_hold"] == "1"
    assert rows[2]["capacity_used"] == "4" and rows[2]["capacity_used_percent"] == "40.0"
    assert rows[5]["capacity"] == "14" and rows[5]["capacity_used_percent"] == "35.7"


def test_outcomes_as_csv(factories: Factories, viewer: StaffClient) -> None:
    build_small_clinic(factories)
    response = viewer.get(
        "/api/v1/reports/outcomes", params=FEBRUARY, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines()[0] == ",".join(OUTCOME_COLUMNS)
    rows = _table(response.text)
    assert [(r["scope"], r["program_name"]) for r in rows] == [
        ("program", "Alpha IOP"),
        ("program", "Beta PHP"),
        ("overall", ""),
    ]
    overall = rows[-1]
    assert overall["from"] == "2026-02-01" and overall["completions"] == "2"
    assert overall["discharged_against_medical_advice"] == "1"
    assert overall["average_length_of_stay_days"] == "22.5"
    assert overall["relapse_share"] == "0.2222"
    assert overall["homework_completion_rate"] == "0.6"
    assert rows[1]["discharged_transferred_to_higher_level"] == "1"


def test_csv_cells_cannot_become_formulas(factories: Factories, viewer: StaffClient) -> None:
    factories.program(name="=HYPERLINK(1)")
    response = viewer.get("/api/v1/reports/census", headers={"Accept": "text/csv"})
    assert _table(response.text)[0]["program_name"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, False),
        ("application/json", False),
        ("text/csv", True),
        ("text/csv;q=0.5, application/json", False),
        ("application/json;q=0.4, text/csv", True),
        ("*/*", False),
        ("text/csv, */*", True),
        ("text/csv;q=bogus", False),
    ],
)
def test_content_negotiation(accept: str | None, expected: bool) -> None:
    assert wants_csv(accept) is expected


def test_reading_a_report_is_audited_without_patients(
    db: Session, factories: Factories, viewer: StaffClient
) -> None:
    build_small_clinic(factories)
    viewer.get("/api/v1/reports/census", headers={"Accept": "text/csv"})
    viewer.get("/api/v1/reports/outcomes", params=FEBRUARY)
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.read").order_by(AuditEvent.id)
    ).all()
    assert [(e.resource_id, e.actor_id, e.patient_id) for e in events] == [
        ("census", viewer.user.id, None),
        ("outcomes", viewer.user.id, None),
    ]
    assert events[0].detail == {"format": "csv"}
    assert events[1].detail == {"format": "json", "from": "2026-02-01", "to": "2026-02-28"}


def test_reports_hold_no_patient_data(factories: Factories, viewer: StaffClient) -> None:
    clinic = build_small_clinic(factories)
    patient = factories.db.get(type(clinic.enrollments["a1"]), clinic.enrollments["a1"].id)
    assert patient is not None
    for path in ("/api/v1/reports/census", "/api/v1/reports/outcomes"):
        for accept in ("application/json", "text/csv"):
            text = viewer.get(path, headers={"Accept": accept}).text
            assert str(patient.patient_id) not in text and str(patient.id) not in text


def test_intake_may_not_read_reports(app: FastAPI, factories: Factories) -> None:
    intake = login_as(app, factories, "intake")
    assert intake.get("/api/v1/reports/census").status_code == 403


def _grow(factories: Factories, programs: int) -> None:
    """More programs, phases, stays, events and homework: reports must not query more."""
    for _ in range(programs):
        program = factories.program(timezone="Europe/London")
        phase = factories.phase(program, [factories.slot(program, start=time(10))])
        for status in (EnrollmentStatus.active, EnrollmentStatus.on_hold):
            enrollment = factories.enrollment(program, phase, status=status)
            homework(factories, enrollment, NOW.replace(day=1), submitted_at=None)
        factories.enrollment(
            program,
            phase,
            status=EnrollmentStatus.completed,
            completed_on=date(2026, 2, 27),
        )


@pytest.mark.parametrize("path", ["/api/v1/reports/census", "/api/v1/reports/outcomes"])
def test_query_count_is_constant(
    db: Session, factories: Factories, viewer: StaffClient, path: str
) -> None:
    build_small_clinic(factories)
    viewer.get(path)  # warm up: the login session's last-seen update happens once
    with count_queries(db) as small:
        assert viewer.get(path, params=FEBRUARY if "outcomes" in path else None).is_success
    _grow(factories, 6)
    with count_queries(db) as large:
        response = viewer.get(path, params=FEBRUARY if "outcomes" in path else None)
    assert response.is_success
    assert len(response.json()["programs"]) == 8
    assert len(large) == len(small)
