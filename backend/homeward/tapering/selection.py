"""Rule conditions as SQL, so that a cohort's query says which rules match whom.

Most enrollments match no rule on a given day. The metric query evaluates every
program's conditions beside the values (`metrics.compute(selector=...)`), and
only the enrollments some condition holds for come back to be decided on, with
the rules that hold: `engine.Playbook.decide` then applies the precedence.

SQL's three-valued logic is the engine's: a comparison with NULL (no data) is
unknown, `AND`/`OR`/`NOT` treat unknown exactly as `all`/`any`/`not` do, and
only a true condition selects. So this is never narrower than the engine.
"""

import operator
import uuid
from collections.abc import Callable, Mapping, Sequence
from functools import reduce
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, not_, null, or_

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


def matching_rules(rule_sets: Sequence[tuple[Sequence[uuid.UUID], Sequence[Rule]]]) -> Selector:
    """Per enrollment, which rules of its program hold: a string with one character
    per rule in order, "1" where its condition is true and "0" otherwise; NULL where
    none is true (or the program is not in `rule_sets`, which pairs programs with the
    rules they share)."""

    def selector(
        values: Mapping[MetricKey, ColumnElement[Any]], program_id: ColumnElement[Any]
    ) -> ColumnElement[Any]:
        whens = []
        for programs, rules in rule_sets:
            if not rules or not programs:
                continue
            flags = [
                case((condition_sql(rule.when, values), literal("1")), else_=literal("0"))
                for rule in rules
            ]
            matched = reduce(operator.add, flags) if len(flags) > 1 else flags[0]
            none = literal("0" * len(rules))
            whens.append((program_id.in_(list(programs)), func.nullif(matched, none)))
        return case(*whens) if whens else null()

    return selector
