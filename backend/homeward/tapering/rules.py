"""A program's tapering rule set: the JSON document, its validation, and the default.

A condition node is either a comparison (`metric`, `window_days`, `op`, `value`)
or a group (`all`, `any`, `not`). One model holds both shapes, rather than a
tagged union, so that a validation error's location reads exactly like the
document: `rules[1].when.any[0].value`, with no union member names in between.
"""

from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Annotated, Any, Literal, Self

from pydantic import (
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from homeward.fields import Integer, Number, Text
from homeward.schemas import InputModel
from homeward.tapering.models import Action, Mode


class Metric(StrEnum):
    attendance_rate = "attendance_rate"
    hours_attended_per_week = "hours_attended_per_week"
    unexcused_absences = "unexcused_absences"
    homework_completion_rate = "homework_completion_rate"
    relapse_events = "relapse_events"
    days_since_last_use = "days_since_last_use"
    days_in_phase = "days_in_phase"
    days_enrolled = "days_enrolled"


WINDOWED_METRICS = frozenset(
    {
        Metric.attendance_rate,
        Metric.hours_attended_per_week,
        Metric.unexcused_absences,
        Metric.homework_completion_rate,
        Metric.relapse_events,
    }
)

Op = Literal[">=", ">", "<=", "<", "=="]
WindowDays = Annotated[Integer, Field(ge=1, le=365)]
MAX_DEPTH = 6
# Whole numbers read back as written (14, not 14.0).
Threshold = Annotated[
    Number,
    Field(ge=-1_000_000, le=1_000_000),
    PlainSerializer(lambda value: int(value) if value.is_integer() else value),
]


class Condition(InputModel):
    """A comparison of one metric with a threshold, or an `all`/`any`/`not` group."""

    all: Annotated[list["Condition"], Field(min_length=1, max_length=50)] | None = None
    any: Annotated[list["Condition"], Field(min_length=1, max_length=50)] | None = None
    not_: "Condition | None" = Field(default=None, alias="not")
    metric: Metric | None = None
    window_days: WindowDays | None = Field(
        default=None,
        validate_default=True,
        description="Required for windowed metrics, forbidden for the others",
    )
    op: Op | None = Field(default=None, validate_default=True)
    value: Threshold | None = Field(default=None, validate_default=True)

    @field_validator("window_days", mode="after")
    @classmethod
    def _window_fits_metric(cls, window: int | None, info: ValidationInfo) -> int | None:
        metric = info.data.get("metric")
        if metric is None:
            if window is not None and "metric" not in info.data:
                return window  # the metric itself is invalid; that error is enough
            if window is not None:
                raise ValueError("window_days belongs to a metric comparison")
            return window
        if metric in WINDOWED_METRICS and window is None:
            raise ValueError(f"{metric.value} needs window_days")
        if metric not in WINDOWED_METRICS and window is not None:
            raise ValueError(f"{metric.value} takes no window_days")
        return window

    @field_validator("op", "value", mode="after")
    @classmethod
    def _comparison_complete(cls, given: Any, info: ValidationInfo) -> Any:
        if info.data.get("metric") is not None and given is None:
            raise ValueError(f"a comparison needs {info.field_name}")
        return given

    @model_validator(mode="after")
    def _one_shape(self) -> Self:
        groups = [name for name in ("all", "any", "not_") if getattr(self, name) is not None]
        comparison = self.metric is not None or self.op is not None or self.value is not None
        if comparison and not groups and self.metric is None:
            raise ValueError("a comparison needs metric")
        if len(groups) + comparison != 1:
            raise ValueError(
                "a condition is exactly one of: a comparison {metric, op, value}, "
                "or a group {all: [...]}, {any: [...]}, {not: {...}}"
            )
        if self.depth() > MAX_DEPTH:
            raise ValueError(f"conditions nest at most {MAX_DEPTH} deep")
        return self

    @model_serializer(mode="wrap")
    def _without_nulls(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        dumped: dict[str, Any] = handler(self)
        return {key: value for key, value in dumped.items() if value is not None}

    def children(self) -> list["Condition"]:
        if self.all is not None:
            return self.all
        if self.any is not None:
            return self.any
        return [self.not_] if self.not_ is not None else []

    def depth(self) -> int:
        return 1 + max((child.depth() for child in self.children()), default=0)

    def comparisons(self) -> list["Condition"]:
        if self.metric is not None:
            return [self]
        return [leaf for child in self.children() for leaf in child.comparisons()]


class Rule(InputModel):
    name: Annotated[str, Text(min_length=1, max_length=100)]
    action: Action
    mode: Mode = Mode.recommend
    days: Annotated[Integer, Field(ge=1, le=90)] | None = Field(
        default=None,
        validate_default=True,
        description="Days to add; required for extend, forbidden otherwise",
    )
    when: Condition

    @field_validator("days", mode="after")
    @classmethod
    def _days_fit_action(cls, days: int | None, info: ValidationInfo) -> int | None:
        action = info.data.get("action")
        if action == Action.extend and days is None:
            raise ValueError("extend needs days")
        if action is not None and action != Action.extend and days is not None:
            raise ValueError(f"{action.value} takes no days")
        return days

    @model_serializer(mode="wrap")
    def _without_nulls(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        dumped: dict[str, Any] = handler(self)
        return {key: value for key, value in dumped.items() if value is not None}

    @cached_property
    def longest_window(self) -> int:
        windows = [leaf.window_days or 1 for leaf in self.when.comparisons()]
        return max(windows, default=1)

    def cooldown_days(self) -> int:
        """How long the data that fired this rule stays in view: its longest window."""
        return self.longest_window


# What one evaluation may cost. Each distinct (metric, window_days) is one measured column
# for the whole cohort, and each comparison is read for every enrollment: the caps keep
# an evaluation's statement inside every database's column limit and its time short.
MAX_RULES = 50
MAX_COMPARISONS = 100
MAX_MEASURES = 24


class RuleSet(InputModel):
    """A rule set: the one validator that `PUT`, `simulate` and evaluation all go through."""

    rules: Annotated[list[Rule], Field(max_length=MAX_RULES)]

    @model_validator(mode="after")
    def _bounded_cost(self) -> Self:
        comparisons = [leaf for rule in self.rules for leaf in rule.when.comparisons()]
        if len(comparisons) > MAX_COMPARISONS:
            raise ValueError(
                f"a rule set holds at most {MAX_COMPARISONS} comparisons; "
                f"this one has {len(comparisons)}"
            )
        measures = {(leaf.metric, leaf.window_days) for leaf in comparisons}
        if len(measures) > MAX_MEASURES:
            raise ValueError(
                f"a rule set measures at most {MAX_MEASURES} distinct (metric, window_days) "
                f"pairs; this one has {len(measures)}"
            )
        return self

    @field_validator("rules", mode="after")
    @classmethod
    def _unique_names(cls, rules: list[Rule]) -> list[Rule]:
        seen: dict[str, int] = {}
        for index, rule in enumerate(rules):
            if rule.name in seen:
                raise ValueError(
                    f"rule names must be unique: rules[{index}] repeats {rule.name!r} "
                    f"from rules[{seen[rule.name]}]"
                )
            seen[rule.name] = index
        return rules

    def document(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


Condition.model_rebuild()

DEFAULT_COMPLETION_DAYS = 14


def _compare(
    metric: Metric, op: Op, value: float, *, window_days: int | None = None
) -> dict[str, Any]:
    """A comparison node, its keys in the order a rule set document shows them."""
    comparison: dict[str, Any] = {"metric": metric.value}
    if window_days is not None:
        comparison["window_days"] = window_days
    return comparison | {"op": op, "value": value}


def _rule(
    name: str,
    action: Action,
    when: dict[str, Any],
    *,
    mode: Mode = Mode.recommend,
    days: int | None = None,
) -> dict[str, Any]:
    rule: dict[str, Any] = {"name": name, "action": action.value}
    if days is not None:
        rule["days"] = days
    return rule | {"mode": mode.value, "when": when}


def default_document(last_phase_min_days: int = 0) -> dict[str, Any]:
    """DESIGN.md's example, plus completion from the last phase and a review flag.

    Completion waits for the last phase's own minimum days (14 when it sets none).
    """
    completion_days = last_phase_min_days or DEFAULT_COMPLETION_DAYS
    steady = [
        _compare(Metric.attendance_rate, ">=", 0.9, window_days=14),
        _compare(Metric.homework_completion_rate, ">=", 0.8, window_days=14),
        _compare(Metric.days_in_phase, ">=", 14),
        _compare(Metric.days_since_last_use, ">=", 21),
    ]
    relapse = [
        _compare(Metric.relapse_events, ">=", 1, window_days=7),
        _compare(Metric.unexcused_absences, ">=", 2, window_days=7),
    ]
    ready = [
        _compare(Metric.days_in_phase, ">=", completion_days),
        _compare(Metric.days_since_last_use, ">=", 21),
    ]
    return {
        "rules": [
            _rule("steady progress", Action.step_down, {"all": steady}),
            _rule("relapse", Action.step_up, {"any": relapse}),
            _rule(
                "relapse extends the stay",
                Action.extend,
                {"all": [_compare(Metric.relapse_events, ">=", 1, window_days=7)]},
                mode=Mode.auto,
                days=14,
            ),
            _rule("ready to complete", Action.complete, {"all": ready}),
            _rule(
                "attendance collapsed",
                Action.review,
                {"all": [_compare(Metric.attendance_rate, "<", 0.5, window_days=14)]},
            ),
        ]
    }


@lru_cache(maxsize=64)
def default_rule_set(last_phase_min_days: int = 0) -> RuleSet:
    """Shared, so never mutate it: validated once per distinct minimum."""
    return RuleSet.model_validate(default_document(last_phase_min_days))
