"""The set-based evaluator agrees with a plain per-enrollment reference of DESIGN.md.

The reference below reads the generated scenario itself (not the database) and
applies the definitions one enrollment at a time, the obvious way.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.homework.models import HomeworkStatus
from homeward.progress import metrics
from homeward.progress.metrics import MetricKey
from homeward.tapering.evaluation import evaluate
from homeward.tapering.models import Action, Recommendation
from homeward.tapering.rules import WINDOWED_METRICS, Condition, Metric, Rule, default_rule_set
from tests.factories import Factories
from tests.tapering.helpers import AS_OF, NOW, ZONE, clinic, enroll, event, freeze, homework
from tests.tapering.helpers import session as add_session

WINDOWS = (1, 7, 14, 28)
STATUSES = [None, "present", "late", "left_early", "absent_excused", "absent_unexcused"]


@dataclass
class SessionSpec:
    day: int  # days before AS_OF
    hour: int
    minutes: int
    status: str | None
    attended: int
    cancelled: bool

    def ends_at(self) -> datetime:
        starts = datetime.combine(AS_OF - timedelta(days=self.day), time(self.hour), tzinfo=ZONE)
        return (starts + timedelta(minutes=self.minutes)).astimezone(UTC)


@dataclass
class HomeworkSpec:
    day: int
    hour: int
    state: str  # assigned | submitted | reviewed | stamped (assigned, submitted_at set)

    def due_at(self) -> datetime:
        local = datetime.combine(AS_OF - timedelta(days=self.day), time(self.hour), tzinfo=ZONE)
        return local.astimezone(UTC)


@dataclass
class EnrollmentSpec:
    admitted_days_ago: int
    phase: int
    phase_days_ago: int
    sessions: list[SessionSpec]
    homework: list[HomeworkSpec]
    events: list[tuple[int, str, str | None]]


sessions = st.builds(
    SessionSpec,
    day=st.integers(-1, 32),
    hour=st.integers(0, 23),
    minutes=st.sampled_from([30, 90, 180, 300]),
    status=st.sampled_from(STATUSES),
    attended=st.integers(0, 300),
    cancelled=st.booleans(),
)
homeworks = st.builds(
    HomeworkSpec,
    day=st.integers(-1, 32),
    hour=st.integers(0, 23),
    state=st.sampled_from(["assigned", "submitted", "reviewed", "stamped"]),
)
events = st.tuples(
    st.integers(-2, 40),
    st.sampled_from(["relapse", "drug_screen", "crisis", "medical"]),
    st.sampled_from(["positive", "negative"]),
)


@st.composite
def enrollment_specs(draw: st.DrawFn) -> EnrollmentSpec:
    admitted = draw(st.integers(0, 45))
    return EnrollmentSpec(
        admitted_days_ago=admitted,
        phase=draw(st.integers(1, 3)),
        phase_days_ago=draw(st.integers(0, admitted)),
        sessions=draw(st.lists(sessions, max_size=10)),
        homework=draw(st.lists(homeworks, max_size=6)),
        events=[
            (day, kind, result if kind == "drug_screen" else None)
            for day, kind, result in draw(st.lists(events, max_size=4))
        ],
    )


# The reference: DESIGN.md's definitions, one enrollment at a time.


def window(days: int) -> tuple[datetime, datetime]:
    first = datetime.combine(AS_OF - timedelta(days=days - 1), time(0), tzinfo=ZONE)
    after = datetime.combine(AS_OF + timedelta(days=1), time(0), tzinfo=ZONE)
    return first.astimezone(UTC), after.astimezone(UTC)


def reference_metrics(spec: EnrollmentSpec) -> dict[MetricKey, float | None]:
    values: dict[MetricKey, float | None] = {}
    uses = [
        AS_OF - timedelta(days=day)
        for day, kind, result in spec.events
        if day >= 0 and (kind == "relapse" or (kind == "drug_screen" and result == "positive"))
    ]
    admitted = AS_OF - timedelta(days=spec.admitted_days_ago)
    for days in WINDOWS:
        start, end = window(days)
        counted = [
            s
            for s in spec.sessions
            if not s.cancelled and start <= s.ends_at() < end and s.ends_at() <= NOW
        ]
        recorded = [s for s in counted if s.status is not None]
        attended = [s for s in recorded if s.status in ("present", "late", "left_early")]
        excused = [s for s in recorded if s.status == "absent_excused"]
        unexcused = [s for s in recorded if s.status == "absent_unexcused"]
        denominator = len(recorded) - len(excused)
        minutes = sum(s.attended for s in recorded)
        due = [h for h in spec.homework if start <= h.due_at() < end and h.due_at() <= NOW]
        done = [h for h in due if h.state != "assigned"]
        first_day = AS_OF - timedelta(days=days - 1)
        values[MetricKey(Metric.attendance_rate, days)] = (
            len(attended) / denominator if denominator else None
        )
        values[MetricKey(Metric.hours_attended_per_week, days)] = (
            minutes / 60 / (days / 7) if recorded else None
        )
        values[MetricKey(Metric.unexcused_absences, days)] = len(unexcused) if recorded else None
        values[MetricKey(Metric.homework_completion_rate, days)] = (
            len(done) / len(due) if due else None
        )
        values[MetricKey(Metric.relapse_events, days)] = len(
            [day for day in uses if first_day <= day <= AS_OF]
        )
    values[MetricKey(Metric.days_since_last_use)] = (AS_OF - max(uses, default=admitted)).days
    values[MetricKey(Metric.days_in_phase)] = spec.phase_days_ago
    values[MetricKey(Metric.days_enrolled)] = spec.admitted_days_ago
    return values


def holds(condition: Condition, values: dict[MetricKey, float | None]) -> bool | None:
    if condition.metric is not None:
        measured = values[MetricKey(condition.metric, condition.window_days)]
        if measured is None:
            return None
        threshold = condition.value
        assert threshold is not None
        return {
            ">=": measured >= threshold,
            ">": measured > threshold,
            "<=": measured <= threshold,
            "<": measured < threshold,
            "==": measured == threshold,
        }[condition.op or ""]
    if condition.not_ is not None:
        inner = holds(condition.not_, values)
        return None if inner is None else not inner
    parts = [holds(part, values) for part in condition.all or condition.any or []]
    if condition.all is not None:
        return False if False in parts else (None if None in parts else True)
    return True if True in parts else (None if None in parts else False)


def reference_decisions(
    rules: list[Rule], values: dict[MetricKey, float | None], phase: int
) -> set[tuple[str, str]]:
    matched = [rule for rule in rules if holds(rule.when, values) is True]
    possible = {
        Action.step_up: phase > 1,
        Action.step_down: phase < 3,
        Action.complete: phase == 3,
    }
    ups = [r for r in matched if r.action == Action.step_up and possible[r.action]]
    others = [
        r for r in matched if r.action in (Action.step_down, Action.complete) and possible[r.action]
    ]
    chosen = (ups or others)[:1]
    chosen += [r for r in matched if r.action == Action.extend][:1]
    chosen += [r for r in matched if r.action == Action.review]
    return {(rule.name, rule.action.value) for rule in chosen}


def build(factories: Factories, specs: list[EnrollmentSpec]) -> tuple[Any, list[Any]]:
    place = clinic(factories)
    built = []
    for spec in specs:
        enrollment = enroll(
            factories,
            place,
            phase=spec.phase,
            admitted_on=AS_OF - timedelta(days=spec.admitted_days_ago),
            phase_started_on=AS_OF - timedelta(days=spec.phase_days_ago),
        )
        for s in spec.sessions:
            add_session(
                factories,
                place,
                enrollment,
                AS_OF - timedelta(days=s.day),
                s.status,
                hour=s.hour,
                minutes=s.minutes,
                attended_minutes=s.attended,
                cancelled=s.cancelled,
            )
        for h in spec.homework:
            status = {"submitted": "submitted", "reviewed": "reviewed"}.get(h.state, "assigned")
            homework(
                factories.db,
                enrollment,
                h.due_at(),
                HomeworkStatus(status),
                submitted_at=h.due_at() if h.state != "assigned" else None,
            )
        for day, kind, result in spec.events:
            event(factories.db, enrollment, AS_OF - timedelta(days=day), kind, result)
        built.append(enrollment)
    return place, built


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(enrollment_specs(), min_size=1, max_size=4))
def test_set_based_metrics_and_decisions_match_the_reference(
    db: Session, factories: Factories, specs: list[EnrollmentSpec]
) -> None:
    nested = db.begin_nested()
    try:
        place, built = build(factories, specs)
        keys = [
            MetricKey(metric, days) if metric in WINDOWED_METRICS else MetricKey(metric)
            for metric in Metric
            for days in (WINDOWS if metric in WINDOWED_METRICS else (None,))
        ]
        measured = metrics.compute(
            db,
            metrics.active_cohort([place.program.id]),
            timezone=place.program.timezone,
            as_of=AS_OF,
            keys=keys,
            now=NOW,
        )
        rules = default_rule_set(place.phases[-1].min_days).rules
        expected_decisions = {}
        for spec, enrollment in zip(specs, built, strict=True):
            expected = reference_metrics(spec)
            got = measured.values[enrollment.id]
            for key in keys:
                assert got[key] == pytest.approx(expected[key]), key
            expected_decisions[enrollment.id] = reference_decisions(rules, expected, spec.phase)

        evaluate(db, Actor.system(), program_id=place.program.id)
        made: dict[Any, set[tuple[str, str]]] = {e.id: set() for e in built}
        for row in db.scalars(
            select(Recommendation).where(Recommendation.program_id == place.program.id)
        ):
            made[row.enrollment_id].add((row.rule_name, row.action.value))
        assert made == expected_decisions
    finally:
        nested.rollback()
