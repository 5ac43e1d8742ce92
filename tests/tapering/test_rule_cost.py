"""A rule set's cost is bounded, and PUT, simulate and evaluation take the same rule sets."""

from typing import Any

import pytest

from homeward.tapering.rules import MAX_COMPARISONS, MAX_MEASURES
from tests.factories import Factories, StaffClient
from tests.tapering.helpers import AS_OF, clinic, enroll, freeze, steady

WINDOWED = ["attendance_rate", "unexcused_absences", "relapse_events", "hours_attended_per_week"]


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


def _measures(count: int) -> list[dict[str, Any]]:
    """`count` comparisons, each on its own (metric, window_days)."""
    return [
        {"metric": WINDOWED[n % 4], "window_days": 1 + n // 4, "op": ">=", "value": 0}
        for n in range(count)
    ]


def _rule_set(comparisons: list[dict[str, Any]]) -> dict[str, Any]:
    chunks = [comparisons[i : i + 50] for i in range(0, len(comparisons), 50)]
    return {
        "rules": [
            {"name": f"r{n}", "action": "review", "when": {"any": chunk}}
            for n, chunk in enumerate(chunks)
        ]
    }


def test_the_most_a_rule_set_may_measure_is_put_simulated_and_evaluated(
    admin: StaffClient, factories: Factories
) -> None:
    place = clinic(factories)
    steady(factories, place, enroll(factories, place))
    url = f"/api/v1/programs/{place.program.id}/tapering-rules"
    widest = _rule_set(_measures(MAX_MEASURES))
    assert admin.put(url, json=widest).status_code == 200
    simulated = admin.post(f"{url}/simulate", json={**widest, "as_of": AS_OF.isoformat()})
    assert simulated.status_code == 200, simulated.text
    evaluated = admin.post(
        "/api/v1/tapering/evaluate",
        json={"program_id": str(place.program.id), "as_of": AS_OF.isoformat()},
    )
    assert evaluated.status_code == 200, evaluated.text
    assert evaluated.json()["created"] == 1  # the one enrollment flagged for review


@pytest.mark.parametrize(
    ("comparisons", "message"),
    [
        (_measures(MAX_MEASURES + 1), "distinct (metric, window_days)"),
        ([_measures(1)[0]] * (MAX_COMPARISONS + 1), f"at most {MAX_COMPARISONS} comparisons"),
    ],
    ids=["measures", "comparisons"],
)
def test_past_the_caps_put_and_simulate_refuse_alike(
    admin: StaffClient, factories: Factories, comparisons: list[dict[str, Any]], message: str
) -> None:
    place = clinic(factories)
    url = f"/api/v1/programs/{place.program.id}/tapering-rules"
    document = _rule_set(comparisons)
    put = admin.put(url, json=document)
    simulated = admin.post(f"{url}/simulate", json={**document, "as_of": AS_OF.isoformat()})
    assert put.status_code == simulated.status_code == 422
    assert message in put.json()["errors"][0]["msg"]
    assert put.json()["errors"] == simulated.json()["errors"]
