"""Deciding what a rule set proposes for one enrollment, from its measured metrics.

Pure functions: the evaluator, the simulation and the backtest all call them,
with metrics from `homeward.progress.metrics`.

Conditions use three-valued logic: a comparison whose metric has no data is
unknown, and "fails its condition" — `all` is true only when every part is
true, `any` when some part is true, `not` of unknown stays unknown, and a rule
matches only when its condition is true. So a missing number never triggers a
rule, not even through `not`.
"""

import operator
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from homeward.progress.metrics import MetricKey
from homeward.tapering.models import PHASE_ACTIONS, Action, RecommendationStatus
from homeward.tapering.rules import Condition, Rule

NO_DATA = "no data"
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


@dataclass(frozen=True)
class PhaseStep:
    id: uuid.UUID
    order: int
    name: str


@dataclass
class Decision:
    rule: Rule
    action: Action
    from_phase_id: uuid.UUID | None
    proposed_phase_id: uuid.UUID | None
    days: int | None
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def key(self) -> tuple[str, Action, uuid.UUID | None, uuid.UUID | None, int | None]:
        return (self.rule.name, self.action, self.from_phase_id, self.proposed_phase_id, self.days)


def rule_keys(rules: Sequence[Rule]) -> set[MetricKey]:
    return {
        MetricKey(leaf.metric, leaf.window_days)
        for rule in rules
        for leaf in rule.when.comparisons()
        if leaf.metric is not None
    }


Values = Mapping[MetricKey, float | None]
Evidence = Callable[[Values], list[dict[str, Any]]]


def _leaves(condition: Condition, path: str) -> list[tuple[str, Condition]]:
    """Every comparison inside `condition`, in document order, with its path."""
    if condition.metric is not None:
        return [(path, condition)]
    if condition.not_ is not None:
        return _leaves(condition.not_, f"{path}.not")
    group = "all" if condition.all is not None else "any"
    return [
        leaf
        for index, part in enumerate(condition.children())
        for leaf in _leaves(part, f"{path}.{group}[{index}]")
    ]


def evidence(condition: Condition, path: str = "when") -> Evidence:
    """The evidence of every comparison inside `condition`: metric, window, measured
    value (or "no data"), operator, threshold and whether it held. Built once per
    rule set; only the rules that fire for an enrollment run it."""
    leaves = []
    for where, leaf in _leaves(condition, path):
        assert leaf.metric is not None and leaf.op is not None and leaf.value is not None
        key = MetricKey(leaf.metric, leaf.window_days)
        leaves.append(
            (where, key, leaf.metric.value, leaf.window_days, leaf.op, _OPS[leaf.op], leaf.value)
        )

    def measure(values: Values) -> list[dict[str, Any]]:
        entries = []
        for where, key, metric, window_days, op, compare, threshold in leaves:
            measured = values.get(key)
            entry: dict[str, Any] = {
                "path": where,
                "metric": metric,
                "window_days": window_days,
                "value": measured,
                "op": op,
                "threshold": threshold,
                "held": measured is not None and compare(measured, threshold),
            }
            if measured is None:
                entry["note"] = NO_DATA
            entries.append(entry)
        return entries

    return measure


Predicate = Callable[[Values], bool | None]


def predicate(condition: Condition) -> Predicate:
    """`condition` as a function of the values, without the evidence: built once per
    rule set, since most rules match nobody and this runs for every enrollment."""
    if condition.metric is not None:
        key = MetricKey(condition.metric, condition.window_days)
        assert condition.op is not None and condition.value is not None
        compare, threshold = _OPS[condition.op], condition.value

        def comparison(values: Values) -> bool | None:
            measured = values.get(key)
            return None if measured is None else compare(measured, threshold)

        return comparison
    if condition.not_ is not None:
        inner = predicate(condition.not_)

        def negation(values: Values) -> bool | None:
            outcome = inner(values)
            return None if outcome is None else not outcome

        return negation
    # `all` stops at the first False, `any` at the first True; else unknown wins.
    decisive = condition.all is None
    parts = [predicate(part) for part in condition.children()]

    def group(values: Values) -> bool | None:
        unknown = False
        for part in parts:
            outcome = part(values)
            if outcome is None:
                unknown = True
            elif outcome is decisive:
                return decisive
        return None if unknown else not decisive

    return group


@dataclass(frozen=True)
class Playbook:
    """A rule set and a program's phases, prepared once to decide for a whole cohort."""

    rules: list[tuple[Rule, Predicate]]
    evidence: dict[str, Evidence]  # by rule name (names are unique in a rule set)
    phases: list[PhaseStep]  # in order
    position: dict[uuid.UUID, int]

    @classmethod
    def of(cls, rules: Sequence[Rule], phases: Sequence[PhaseStep]) -> "Playbook":
        ordered = sorted(phases, key=lambda phase: phase.order)
        position: dict[uuid.UUID, int] = {}
        for index, phase in enumerate(ordered):
            position.setdefault(phase.id, index)
        return cls(
            [(rule, predicate(rule.when)) for rule in rules],
            {rule.name: evidence(rule.when) for rule in rules},
            ordered,
            position,
        )

    def decide(
        self, values: Values, current_phase_id: uuid.UUID | None, matched: str | None = None
    ) -> list[Decision]:
        """What the rules propose, with DESIGN.md's precedence.

        `matched`, when the database has already judged the conditions on `values`
        (see `selection.matching_rules`), says which rules hold: "1" at their index.

        At most one of step_up, step_down and complete: a matching step_up wins,
        otherwise the first matching of the others in list order. step_down needs a
        next phase, step_up a previous one, and complete the last phase; where that
        is missing the rule does not match. One extend at most (the first matching);
        every matching review.
        """
        ordered = self.phases
        index = None if current_phase_id is None else self.position.get(current_phase_id)
        step_up: Decision | None = None
        other_phase: Decision | None = None
        extend: Decision | None = None
        reviews: list[Decision] = []
        for rule_index, (rule, holds) in enumerate(self.rules):
            if not (holds(values) if matched is None else matched[rule_index] == "1"):
                continue
            decision = Decision(rule, rule.action, current_phase_id, None, rule.days)
            if rule.action in PHASE_ACTIONS:
                if index is None:
                    continue
                if rule.action == Action.step_up:
                    if index == 0 or step_up is not None:
                        continue
                    decision.proposed_phase_id = ordered[index - 1].id
                    step_up = decision
                elif other_phase is None:
                    if rule.action == Action.step_down:
                        if index + 1 >= len(ordered):
                            continue
                        decision.proposed_phase_id = ordered[index + 1].id
                    elif index + 1 != len(ordered):
                        continue  # complete: only from the last phase
                    other_phase = decision
            elif rule.action == Action.extend:
                extend = extend or decision
            else:
                reviews.append(decision)
        phase_decision = step_up or other_phase
        chosen = [phase_decision] if phase_decision else []
        chosen += ([extend] if extend else []) + reviews
        for decision in chosen:
            decision.evidence = self.evidence[decision.rule.name](values)
        return chosen


def decide(
    rules: Sequence[Rule],
    values: Values,
    current_phase_id: uuid.UUID | None,
    phases: Sequence[PhaseStep],
) -> list[Decision]:
    """What `rules` propose for one enrollment (see `Playbook.decide`)."""
    return Playbook.of(rules, phases).decide(values, current_phase_id)


@dataclass(frozen=True)
class PriorRecommendation:
    """What an enrollment already got: enough to avoid proposing it twice."""

    rule_name: str
    action: Action
    from_phase_id: uuid.UUID | None
    proposed_phase_id: uuid.UUID | None
    days: int | None
    status: RecommendationStatus
    as_of: date

    def key(self) -> tuple[str, Action, uuid.UUID | None, uuid.UUID | None, int | None]:
        return (self.rule_name, self.action, self.from_phase_id, self.proposed_phase_id, self.days)


ACTED_ON = frozenset({RecommendationStatus.approved, RecommendationStatus.applied})


def already_handled(decision: Decision, prior: Sequence[PriorRecommendation], as_of: date) -> bool:
    """True when the data that fired `decision` was already acted on or turned down.

    Within the rule's longest window the same evidence keeps matching, so: a rule
    whose recommendation was approved or applied does not fire again for that
    long, and a dismissed proposal is not made again in that time either.
    """
    since = as_of - timedelta(days=decision.rule.cooldown_days())
    for earlier in prior:
        if not since < earlier.as_of <= as_of:
            continue
        same_rule = earlier.rule_name == decision.rule.name and earlier.action == decision.action
        if same_rule and earlier.status in ACTED_ON:
            return True
        if earlier.status == RecommendationStatus.dismissed and earlier.key() == decision.key():
            return True
    return False
