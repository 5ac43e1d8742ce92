"""The engine's pure parts: evidence paths and values through nested conditions."""

from homeward.progress.metrics import MetricKey
from homeward.tapering.engine import evidence, predicate
from homeward.tapering.rules import Condition, Metric

NESTED = Condition.model_validate(
    {
        "all": [
            {"metric": "attendance_rate", "window_days": 14, "op": ">=", "value": 0.8},
            {
                "not": {
                    "any": [
                        {"metric": "relapse_events", "window_days": 7, "op": ">=", "value": 1},
                        {"metric": "days_in_phase", "op": "<", "value": 14},
                    ]
                }
            },
        ]
    }
)
VALUES = {
    MetricKey(Metric.attendance_rate, 14): 0.9,
    MetricKey(Metric.relapse_events, 7): 0.0,
    MetricKey(Metric.days_in_phase, None): None,
}


def test_evidence_lists_every_comparison_with_its_path_in_document_order() -> None:
    entries = evidence(NESTED)(VALUES)
    assert [(e["path"], e["value"], e["held"]) for e in entries] == [
        ("when.all[0]", 0.9, True),
        ("when.all[1].not.any[0]", 0.0, False),
        ("when.all[1].not.any[1]", None, False),
    ]
    assert entries[1] == {
        "path": "when.all[1].not.any[0]",
        "metric": "relapse_events",
        "window_days": 7,
        "value": 0.0,
        "op": ">=",
        "threshold": 1,
        "held": False,
    }
    assert entries[2]["note"] == "no data" and "note" not in entries[0]


def test_unknown_inside_not_stays_unknown_so_the_rule_does_not_match() -> None:
    # any[False, unknown] is unknown; not(unknown) is unknown; all[True, unknown] too.
    assert predicate(NESTED)(VALUES) is None
    known = VALUES | {MetricKey(Metric.days_in_phase, None): 30.0}
    assert predicate(NESTED)(known) is True
