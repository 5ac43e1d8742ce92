"""Rule conditions as SQL hold exactly where the engine's predicates do."""

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from homeward.progress import metrics
from homeward.progress.metrics import MetricKey
from homeward.tapering.engine import predicate
from homeward.tapering.rules import WINDOWED_METRICS, Condition, Metric, Rule
from homeward.tapering.selection import matching_rules
from tests.factories import Factories
from tests.tapering.helpers import AS_OF, NOW, freeze
from tests.tapering.test_property import WINDOWS, EnrollmentSpec, build, enrollment_specs

THRESHOLDS = st.one_of(st.integers(0, 8), st.sampled_from([0.5, 0.75, 10.5, 14, 30]))


@st.composite
def comparisons(draw: st.DrawFn) -> dict[str, Any]:
    metric = draw(st.sampled_from(list(Metric)))
    condition: dict[str, Any] = {
        "metric": metric.value,
        "op": draw(st.sampled_from([">=", ">", "<=", "<", "=="])),
        "value": draw(THRESHOLDS),
    }
    if metric in WINDOWED_METRICS:
        condition["window_days"] = draw(st.sampled_from(WINDOWS))
    return condition


conditions = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.builds(lambda parts: {"all": parts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda parts: {"any": parts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda part: {"not": part}, inner),
    ),
    max_leaves=6,
)


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(enrollment_specs(), min_size=1, max_size=4),
    whens=st.lists(conditions, min_size=1, max_size=3),
)
def test_selected_exactly_where_some_condition_holds(
    db: Session, factories: Factories, specs: list[EnrollmentSpec], whens: list[dict[str, Any]]
) -> None:
    nested = db.begin_nested()
    try:
        place, built = build(factories, specs)
        rules = [
            Rule.model_validate({"name": f"r{i}", "action": "review", "when": when})
            for i, when in enumerate(whens)
        ]
        keys = {
            MetricKey(leaf.metric, leaf.window_days)
            for rule in rules
            for leaf in rule.when.comparisons()
            if leaf.metric is not None
        }

        def measure(**options: Any) -> metrics.CohortMetrics:
            return metrics.compute(
                db,
                metrics.active_cohort([place.program.id]),
                timezone=place.program.timezone,
                as_of=AS_OF,
                keys=keys,
                now=NOW,
                **options,
            )

        everyone = measure()
        holds = [predicate(Condition.model_validate(when)) for when in whens]
        expected = {}
        for enrollment in built:
            flags = "".join(
                "1" if check(everyone.values[enrollment.id]) is True else "0" for check in holds
            )
            if "1" in flags:
                expected[enrollment.id] = flags
        # As the evaluator measures: without the rosters' unrecorded sessions.
        chosen = measure(
            selector=matching_rules([([place.program.id], rules)]), count_unrecorded=False
        )
        assert chosen.selected == expected
        assert set(chosen.values) == set(expected)
        assert set(chosen.enrollments) == set(expected)
        assert chosen.size == everyone.size == len(built)
        for enrollment_id in expected:
            assert chosen.values[enrollment_id] == everyone.values[enrollment_id]
    finally:
        nested.rollback()
