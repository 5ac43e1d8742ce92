"""Trying a draft rule set without writing anything: on one date, or replayed over history.

The replay walks from `from` to `to` every `every_days`. Each enrollment joins
on the first step on or after its admission, in the phase its real history had
then, and leaves when it really completed or was discharged. From then on only
simulated changes move it (approved at once, in memory). Attendance, homework
and events are the recorded history: what a different rule set would have
changed in the client's behaviour is unknowable, so it is not guessed at.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.enrollments.models import Enrollment, EnrollmentStatus, PhaseChange
from homeward.programs.exceptions import ProgramNotFound
from homeward.programs.models import Program
from homeward.progress import metrics
from homeward.progress.metrics import MetricKey
from homeward.tapering.engine import (
    Decision,
    PriorRecommendation,
    already_handled,
    decide,
    rule_keys,
)
from homeward.tapering.evaluation import phase_steps
from homeward.tapering.models import Action, RecommendationStatus
from homeward.tapering.rules import Metric
from homeward.tapering.schemas import (
    Backtest,
    BacktestTotals,
    PathStep,
    ReplayedEnrollment,
    SimulatedEnrollment,
    SimulatedRecommendation,
    SimulationRequest,
    SimulationSnapshot,
    evidence_of,
)


def _program(db: Session, program_id: uuid.UUID) -> Program:
    program = db.get(Program, program_id)
    if program is None:
        raise ProgramNotFound()
    return program


def simulate(
    db: Session, actor: Actor, program_id: uuid.UUID, data: SimulationRequest
) -> SimulationSnapshot | Backtest:
    program = _program(db, program_id)
    result = _replay(db, program, data) if data.is_replay else _snapshot(db, program, data)
    # It writes no recommendation, but it does read patients' progress.
    record(
        db,
        actor,
        "tapering_rules.simulate",
        "program",
        program.id,
        detail={"kind": result.kind, "enrollments": len(result.enrollments)},
    )
    return result


def _snapshot(db: Session, program: Program, data: SimulationRequest) -> SimulationSnapshot:
    now = clock.now()
    as_of = data.as_of or metrics.today_in(program.timezone, now)
    measured = metrics.compute(
        db,
        metrics.active_cohort([program.id]),
        timezone=program.timezone,
        as_of=as_of,
        keys=rule_keys(data.rules),
        now=now,
        program_ids=[program.id],
    )
    phases = phase_steps(db, [program.id]).get(program.id, [])
    enrollments = []
    for enrollment_id, state in sorted(measured.enrollments.items(), key=lambda item: item[0]):
        decisions = decide(
            data.rules, measured.values[enrollment_id], state.current_phase_id, phases
        )
        enrollments.append(
            SimulatedEnrollment(
                enrollment_id=enrollment_id,
                current_phase_id=state.current_phase_id,
                recommendations=[
                    SimulatedRecommendation(
                        rule_name=d.rule.name,
                        action=d.action,
                        mode=d.rule.mode,
                        proposed_phase_id=d.proposed_phase_id,
                        days=d.days,
                        evidence=evidence_of(d.evidence),
                    )
                    for d in decisions
                ],
            )
        )
    return SimulationSnapshot(as_of=as_of, enrollments=enrollments)


@dataclass
class _Replayed:
    id: uuid.UUID
    admitted_on: date
    leaves_on: date | None
    history: list[tuple[date, uuid.UUID]]
    phase_id: uuid.UUID | None = None
    phase_started_on: date | None = None
    start_phase_id: uuid.UUID | None = None
    joined: bool = False
    completed_on: date | None = None
    reached_last_on: date | None = None
    path: list[PathStep] = field(default_factory=list)
    prior: list[PriorRecommendation] = field(default_factory=list)

    def join(self, day: date) -> None:
        """Take the phase the real history had on `day`."""
        self.joined = True
        for effective_on, phase_id in self.history:
            if effective_on <= day:
                self.phase_id, self.phase_started_on = phase_id, effective_on
        self.start_phase_id = self.phase_id

    def present_on(self, day: date) -> bool:
        return (
            self.admitted_on <= day
            and (self.leaves_on is None or day < self.leaves_on)
            and self.completed_on is None
        )


def _replay_cohort(db: Session, program: Program, start: date, end: date) -> list[_Replayed]:
    rows = db.execute(
        select(
            Enrollment.id,
            Enrollment.admitted_on,
            Enrollment.completed_on,
            Enrollment.discharged_on,
            Enrollment.current_phase_id,
            Enrollment.phase_started_on,
        ).where(
            Enrollment.program_id == program.id,
            Enrollment.status != EnrollmentStatus.pending,
            Enrollment.admitted_on.is_not(None),
            Enrollment.admitted_on <= end,
            or_(Enrollment.completed_on.is_(None), Enrollment.completed_on > start),
            or_(Enrollment.discharged_on.is_(None), Enrollment.discharged_on > start),
        )
    ).all()
    ids = [row.id for row in rows]
    history: dict[uuid.UUID, list[tuple[date, uuid.UUID]]] = defaultdict(list)
    changes = db.execute(
        select(PhaseChange.enrollment_id, PhaseChange.effective_on, PhaseChange.to_phase_id)
        .where(PhaseChange.enrollment_id.in_(ids))
        .order_by(PhaseChange.effective_on, PhaseChange.created_at)
    )
    for enrollment_id, effective_on, to_phase_id in changes:
        history[enrollment_id].append((effective_on, to_phase_id))
    cohort = []
    for row in rows:
        # Without recorded history, the phase the enrollment is in now is all we know.
        known = history.get(row.id) or (
            [(row.phase_started_on or row.admitted_on, row.current_phase_id)]
            if row.current_phase_id
            else []
        )
        cohort.append(
            _Replayed(row.id, row.admitted_on, row.completed_on or row.discharged_on, known)
        )
    return cohort


@dataclass
class _Tally:
    """What the replay's simulated recommendations add up to."""

    actions: dict[Action, int] = field(default_factory=lambda: defaultdict(int))
    extension_days: int = 0
    days_to_last: list[int] = field(default_factory=list)
    steps: int = 0

    def totals(self, enrollments: int) -> BacktestTotals:
        days_to_last = self.days_to_last
        return BacktestTotals(
            steps=self.steps,
            enrollments=enrollments,
            step_downs=self.actions[Action.step_down],
            step_ups=self.actions[Action.step_up],
            extensions=self.actions[Action.extend],
            extension_days=self.extension_days,
            completions=self.actions[Action.complete],
            reviews=self.actions[Action.review],
            reached_last_phase=len(days_to_last),
            average_days_to_last_phase=(
                round(sum(days_to_last) / len(days_to_last), 2) if days_to_last else None
            ),
        )


def _replay(db: Session, program: Program, data: SimulationRequest) -> Backtest:
    assert data.from_ is not None and data.to is not None
    now = clock.now()
    phases = phase_steps(db, [program.id]).get(program.id, [])
    ordered = sorted(phases, key=lambda phase: phase.order)
    last_phase_id = ordered[-1].id if ordered else None
    cohort = _replay_cohort(db, program, data.from_, data.to)
    keys = rule_keys(data.rules) | {MetricKey(Metric.days_in_phase)}
    tally = _Tally()
    day = data.from_
    while day <= data.to:
        tally.steps += 1
        present = [each for each in cohort if each.present_on(day)]
        for each in present:
            if not each.joined:
                each.join(day)
        if present:
            measured = metrics.compute(
                db,
                metrics.given_cohort([each.id for each in present]),
                timezone=program.timezone,
                as_of=day,
                keys=keys,
                now=now,
            )
            for each in present:
                values = _values_on(day, each, measured)
                for decision in decide(data.rules, values, each.phase_id, phases):
                    if not already_handled(decision, each.prior, day):
                        _approve(each, decision, day, last_phase_id, tally)
        day += timedelta(days=data.every_days)
    return _backtest(data, cohort, tally)


def _values_on(
    day: date, each: _Replayed, measured: metrics.CohortMetrics
) -> dict[MetricKey, float | None]:
    values = dict(measured.values.get(each.id, {}))
    # Days in phase count from the replayed phase's start, not the recorded one's.
    points = metrics.point_metrics(
        day, each.admitted_on, each.phase_started_on, measured.last_use_on.get(each.id)
    )
    values[MetricKey(Metric.days_in_phase)] = points[Metric.days_in_phase]
    return values


def _approve(
    each: _Replayed, decision: Decision, day: date, last_phase_id: uuid.UUID | None, tally: _Tally
) -> None:
    """The decision approved at once, in memory: it moves the enrollment from `day` on."""
    each.prior.append(
        PriorRecommendation(
            decision.rule.name,
            decision.action,
            decision.from_phase_id,
            decision.proposed_phase_id,
            decision.days,
            RecommendationStatus.approved,
            day,
        )
    )
    tally.actions[decision.action] += 1
    if decision.action == Action.review:
        return
    each.path.append(
        PathStep(
            on=day,
            rule_name=decision.rule.name,
            action=decision.action,
            from_phase_id=decision.from_phase_id,
            to_phase_id=decision.proposed_phase_id,
            days=decision.days,
        )
    )
    if decision.action == Action.extend:
        tally.extension_days += decision.days or 0
    elif decision.action == Action.complete:
        each.completed_on = day
    else:
        each.phase_id, each.phase_started_on = decision.proposed_phase_id, day
        if each.phase_id == last_phase_id and each.reached_last_on is None:
            each.reached_last_on = day
            tally.days_to_last.append((day - each.admitted_on).days)


def _backtest(data: SimulationRequest, cohort: list[_Replayed], tally: _Tally) -> Backtest:
    assert data.from_ is not None and data.to is not None
    joined = [each for each in cohort if each.joined]
    return Backtest(
        from_=data.from_,
        to=data.to,
        every_days=data.every_days,
        enrollments=[
            ReplayedEnrollment(
                enrollment_id=each.id,
                admitted_on=each.admitted_on,
                start_phase_id=each.start_phase_id,
                final_phase_id=each.phase_id,
                completed_on=each.completed_on,
                path=each.path,
            )
            for each in sorted(joined, key=lambda each: each.id)
        ],
        totals=tally.totals(len(joined)),
    )
