"""Simulation and backtest write nothing; the worker evaluates once a day per program."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.enrollments.models import Enrollment, Extension, PhaseChange
from homeward.tapering.models import EvaluationRun, Recommendation
from homeward.tapering.rules import RuleSet
from homeward.tapering.schemas import SimulationRequest
from homeward.tapering.service import put_rule_set
from homeward.tapering.simulation import simulate
from homeward.worker import run_due_evaluations
from tests.factories import Factories, StaffClient
from tests.tapering.helpers import AS_OF, ZONE, clinic, enroll, event, freeze, steady

ALWAYS = {"metric": "days_enrolled", "op": ">=", "value": 0}
REPLAY_RULES = [
    {
        "name": "relapse",
        "action": "step_up",
        "when": {"metric": "relapse_events", "window_days": 7, "op": ">=", "value": 1},
    },
    {
        "name": "steady",
        "action": "step_down",
        "when": {
            "all": [
                {"metric": "attendance_rate", "window_days": 14, "op": ">=", "value": 0.9},
                {"metric": "days_in_phase", "op": ">=", "value": 14},
            ]
        },
    },
    {
        "name": "done",
        "action": "complete",
        "when": {"metric": "days_in_phase", "op": ">=", "value": 14},
    },
    {
        "name": "longer",
        "action": "extend",
        "days": 14,
        "when": {"metric": "relapse_events", "window_days": 7, "op": ">=", "value": 1},
    },
]


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


def _written(db: Session) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(Recommendation)) or 0,
        db.scalar(select(func.count()).select_from(PhaseChange)) or 0,
        db.scalar(select(func.count()).select_from(Extension)) or 0,
    )


def test_simulation_on_one_date_writes_nothing(
    clinician: StaffClient, db: Session, factories: Factories
) -> None:
    place = clinic(factories)
    steady_one = enroll(factories, place)
    steady(factories, place, steady_one)
    relapsing = enroll(factories, place, phase=2)
    event(db, relapsing, AS_OF - timedelta(days=1))
    before = _written(db)
    response = clinician.post(
        f"/api/v1/programs/{place.program.id}/tapering-rules/simulate",
        json={"rules": REPLAY_RULES, "as_of": AS_OF.isoformat()},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == "snapshot" and body["as_of"] == AS_OF.isoformat()
    got = {
        item["enrollment_id"]: [
            (r["rule_name"], r["proposed_phase_id"]) for r in item["recommendations"]
        ]
        for item in body["enrollments"]
    }
    assert got == {
        str(steady_one.id): [("steady", str(place.phases[1].id))],
        str(relapsing.id): [("relapse", str(place.phases[0].id)), ("longer", None)],
    }
    evidence = body["enrollments"][0]["recommendations"][0]["evidence"]
    assert all("held" in item and "threshold" in item for item in evidence)
    assert _written(db) == before
    db.expire_all()
    assert db.get(Enrollment, relapsing.id).current_phase_id == place.phases[1].id  # type: ignore[union-attr]


def test_backtest_replays_history_in_memory(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    first = enroll(factories, place)
    steady(factories, place, first, days=54)
    second = enroll(factories, place, phase=2, phase_started_on=date(2026, 1, 12))
    steady(factories, place, second, days=54)
    event(db, second, date(2026, 2, 1))
    before = _written(db)
    data = SimulationRequest.model_validate(
        {"rules": REPLAY_RULES, "from": "2026-01-19", "to": "2026-02-27", "every_days": 7}
    )
    result = simulate(db, Actor.system(), place.program.id, data)
    assert result.kind == "backtest"
    totals = result.totals  # type: ignore[union-attr]
    assert totals.model_dump() == {
        "steps": 6,
        "enrollments": 2,
        "step_downs": 4,
        "step_ups": 1,
        "extensions": 1,
        "extension_days": 14,
        "completions": 1,
        "reviews": 0,
        "reached_last_phase": 2,
        "average_days_to_last_phase": 24.5,
    }
    paths = {item.enrollment_id: item for item in result.enrollments}
    _, p2, p3 = (phase.id for phase in place.phases)
    assert [(s.on, s.action, s.to_phase_id) for s in paths[first.id].path] == [
        (date(2026, 1, 19), "step_down", p2),
        (date(2026, 2, 2), "step_down", p3),
        (date(2026, 2, 16), "complete", None),
    ]
    assert paths[first.id].completed_on == date(2026, 2, 16)
    assert [(s.on, s.action, s.to_phase_id) for s in paths[second.id].path] == [
        (date(2026, 1, 26), "step_down", p3),
        (date(2026, 2, 2), "step_up", p2),
        (date(2026, 2, 2), "extend", None),
        (date(2026, 2, 16), "step_down", p3),
    ]
    assert paths[second.id].start_phase_id == p2 and paths[second.id].final_phase_id == p3
    assert _written(db) == before


def test_replay_request_is_validated(clinician: StaffClient, factories: Factories) -> None:
    place = clinic(factories)
    url = f"/api/v1/programs/{place.program.id}/tapering-rules/simulate"
    rules = [{"name": "look", "action": "review", "when": ALWAYS}]
    both = clinician.post(url, json={"rules": rules, "as_of": "2026-02-01", "from": "2026-01-01"})
    assert both.status_code == 422
    backwards = clinician.post(url, json={"rules": rules, "from": "2026-02-01", "to": "2026-01-01"})
    assert backwards.status_code == 422
    too_long = clinician.post(
        url, json={"rules": rules, "from": "2020-01-01", "to": "2026-01-01", "every_days": 1}
    )
    assert too_long.status_code == 422


def test_worker_evaluates_each_program_once_a_day(db: Session, factories: Factories) -> None:
    place = clinic(factories)
    enrollment = enroll(factories, place)
    put_rule_set(
        db,
        Actor.system(),
        place.program.id,
        RuleSet.model_validate({"rules": [{"name": "look", "action": "review", "when": ALWAYS}]}),
    )

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=ZONE).astimezone(UTC)

    assert place.program.id not in run_due_evaluations(db, at(AS_OF, 5), time(6))
    assert place.program.id in run_due_evaluations(db, at(AS_OF, 7), time(6))
    assert place.program.id not in run_due_evaluations(db, at(AS_OF, 9), time(6))
    run = db.get(EvaluationRun, place.program.id)
    assert run is not None and run.last_evaluated_on == AS_OF
    made = db.scalars(select(Recommendation).where(Recommendation.enrollment_id == enrollment.id))
    assert [(r.rule_name, r.as_of) for r in made] == [("look", AS_OF)]
    next_day = AS_OF + timedelta(days=1)
    # Later that night in UTC is still the same local day.
    assert place.program.id not in run_due_evaluations(db, at(AS_OF, 23), time(6))
    assert place.program.id in run_due_evaluations(db, at(next_day, 6), time(6))
