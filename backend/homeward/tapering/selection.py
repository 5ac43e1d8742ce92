"""Rule conditions as SQL, so that a cohort's query returns values only where a rule matches.

Most enrollments match no rule on a given day. The metric query evaluates every
program's conditions beside the values (`metrics.compute(selector=...)`), and
only the enrollments some condition holds for are decided on in Python, where
`engine.Playbook.decide` still judges each rule and its precedence in full.

SQL's three-valued logic is the engine's: a comparison with NULL (no data) is
unknown, `AND`/`OR`/`NOT` treat unknown exactly as `all`/`any`/`not` do, and
only a true condition selects. So this is never narrower than the engine.
"""

import operator
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, false, literal, not_, or_

from homeward.progress.metric_columns import MetricKey, Selector
from homeward.tapering.rules import Condition, Rule

_COMPARE: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


def condition_sql(
    condition: Condition, values: Mapping[MetricKey, ColumnElement[Any]]
) -> ColumnElement[bool]:
    if condition.metric is not None:
        assert condition.op is not None and condition.value is not None
        column = values[MetricKey(condition.metric, condition.window_days)]
        return _COMPARE[condition.op](column, literal(condition.value))
    if condition.not_ is not None:
        return not_(condition_sql(condition.not_, values))
    parts = [condition_sql(part, values) for part in condition.children()]
    return and_(*parts) if condition.all is not None else or_(*parts)


def any_rule_matches(rule_sets: Sequence[tuple[Sequence[uuid.UUID], Sequence[Rule]]]) -> Selector:
    """True where some rule of the enrollment's program holds; `rule_sets` pairs
    programs with the rules they share."""

    def selector(
        values: Mapping[MetricKey, ColumnElement[Any]], program_id: ColumnElement[Any]
    ) -> ColumnElement[Any]:
        matches = [
            and_(
                program_id.in_(list(programs)),
                or_(*(condition_sql(rule.when, values) for rule in rules)),
            )
            for programs, rules in rule_sets
            if rules and programs
        ]
        return or_(*matches) if matches else false()

    return selector
