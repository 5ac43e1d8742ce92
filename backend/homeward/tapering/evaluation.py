"""Evaluating programs' rule sets against their active enrollments.

A fixed number of queries per evaluation, whatever the cohort: programs, phases,
rule sets (and, on PostgreSQL, the transaction's working memory), then per
timezone the metrics with the rules' verdicts (one), earlier recommendations
(one), and the writes (one insert, one update, one for enrollments that left, and
the set-based changes of `auto` rules, after which the changed enrollments that
something is also proposed for are read back (one)).
"""

import gc
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.errors import InvalidInput
from homeward.programs.exceptions import ProgramNotFound
from homeward.programs.models import Phase, Program
from homeward.progress import metrics
from homeward.tapering.apply import AutoChange, apply_in_bulk
from homeward.tapering.earlier_recommendations import (
    StoredRecommendation,
    earlier_recommendations,
    renew_pending,
    supersede,
)
from homeward.tapering.engine import Decision, PhaseStep, Playbook, already_handled, rule_keys
from homeward.tapering.models import Mode, RecommendationStatus
from homeward.tapering.new_recommendations import NewRecommendations
from homeward.tapering.rules import Rule
from homeward.tapering.selection import matching_rules
from homeward.tapering.service import VersionedRules, current_rule_sets


@dataclass
class EvaluationCounts:
    programs: int = 0
    enrollments: int = 0
    created: int = 0
    superseded: int = 0
    applied: int = 0


@dataclass(frozen=True)
class _Program:
    id: uuid.UUID
    timezone: str


def phase_steps(db: Session, program_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[PhaseStep]]:
    steps: dict[uuid.UUID, list[PhaseStep]] = defaultdict(list)
    rows = db.execute(
        select(Phase.program_id, Phase.id, Phase.order, Phase.name).where(
            Phase.program_id.in_(program_ids)
        )
    )
    for program_id, phase_id, order, name in rows:
        steps[program_id].append(PhaseStep(phase_id, order, name))
    return steps


# A cohort's aggregates hash and sort a row per roster entry of the last weeks: for a
# large clinic more than PostgreSQL's default working memory (4 MB), which would send
# them to temporary files on disk.
_COHORT_WORK_MEM = text("SET LOCAL work_mem = '64MB'")


def _working_memory_for_cohorts(db: Session) -> None:
    """For the rest of this transaction only (`SET LOCAL`)."""
    connection = db.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_COHORT_WORK_MEM)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a cohort is evaluated.

    The evaluation keeps a few objects per enrollment alive until it returns, so for
    a large cohort the collector would rescan the whole heap several times midway
    (each pass costing more than deciding for thousands of enrollments) and find
    nothing to free. Reference counting frees everything else as usual.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def evaluate(
    db: Session,
    actor: Actor,
    *,
    program_id: uuid.UUID | None = None,
    as_of: date | None = None,
    now: datetime | None = None,
) -> EvaluationCounts:
    """Evaluate one program (or every one not archived) on `as_of` (default: its today)."""
    now = now or clock.now()
    statement = select(Program.id, Program.timezone)
    if program_id is not None:
        statement = statement.where(Program.id == program_id)
    else:
        statement = statement.where(Program.archived.is_(False))
    programs = [_Program(*row) for row in db.execute(statement)]
    if program_id is not None and not programs:
        raise ProgramNotFound()
    counts = EvaluationCounts(programs=len(programs))
    groups: dict[tuple[str, date], list[uuid.UUID]] = defaultdict(list)
    for program in programs:
        today = metrics.today_in(program.timezone, now)
        day = as_of or today
        if day > today:
            raise InvalidInput.at(["body", "as_of"], "as_of is in the future")
        groups[(program.timezone, day)].append(program.id)
    if programs:
        _working_memory_for_cohorts(db)
        ids = [program.id for program in programs]
        rule_sets = current_rule_sets(db, ids)
        phases = phase_steps(db, ids)
        with _collector_paused():
            for (timezone, day), members in groups.items():
                _evaluate_group(db, actor, counts, members, timezone, day, rule_sets, phases, now)
    record(
        db,
        actor,
        "tapering.evaluate",
        "program",
        program_id,
        detail={
            "as_of": as_of.isoformat() if as_of else None,
            "programs": counts.programs,
            "enrollments": counts.enrollments,
            "created": counts.created,
            "superseded": counts.superseded,
            "applied": counts.applied,
        },
    )
    return counts


def _evaluate_group(
    db: Session,
    actor: Actor,
    counts: EvaluationCounts,
    program_ids: list[uuid.UUID],
    timezone: str,
    as_of: date,
    rule_sets: dict[uuid.UUID, VersionedRules],
    phases: dict[uuid.UUID, list[PhaseStep]],
    now: datetime,
) -> None:
    """Programs sharing a timezone share window bounds, so one set of metric queries."""
    measured = _measure_matching(db, program_ids, timezone, as_of, rule_sets, now)
    counts.enrollments += measured.size
    longest = _longest_cooldown(program_ids, rule_sets)
    prior = earlier_recommendations(db, program_ids, as_of - timedelta(days=longest))
    playbooks = {p: Playbook.of(rule_sets[p].rules.rules, phases.get(p, [])) for p in program_ids}
    proposals, automatic = _decide(measured, playbooks, prior, as_of)

    applied = apply_in_bulk(db, actor, automatic, as_of, now)
    added = NewRecommendations(as_of, now)
    for change in applied:
        version = rule_sets[change.state.program_id].version
        added.add(change.decision, change.state, version, RecommendationStatus.applied)
    _propose_unapplied(proposals, automatic, applied)
    # Recommendations made beside an automatic change describe the enrollment after it,
    # as stored.
    states = measured.enrollments
    changed = {change.state.id for change in applied} & proposals.keys()
    if changed:
        states = states | metrics.stored_states(db, changed)

    superseded = renew_pending(proposals, prior, states, rule_sets, added)
    left = supersede(db, program_ids, superseded, now)
    # Written last: the update above then has none of this evaluation's rows to look at.
    added.write(db.connection())
    counts.created += len(added) - len(applied)
    counts.applied += len(applied)
    counts.superseded += len(superseded) + left


def _measure_matching(
    db: Session,
    program_ids: list[uuid.UUID],
    timezone: str,
    as_of: date,
    rule_sets: dict[uuid.UUID, VersionedRules],
    now: datetime,
) -> metrics.CohortMetrics:
    """The metrics of the enrollments some rule's condition holds for, and the cohort's size.

    Programs with the very same rules (the default set is shared) are judged together.
    """
    keys = set().union(*(rule_keys(rule_sets[p].rules.rules) for p in program_ids))
    sharing: dict[int, tuple[list[uuid.UUID], list[Rule]]] = {}
    for p in program_ids:
        rules = rule_sets[p].rules.rules
        sharing.setdefault(id(rules), ([], rules))[0].append(p)
    return metrics.compute(
        db,
        metrics.active_cohort(program_ids),
        timezone=timezone,
        as_of=as_of,
        keys=keys,
        now=now,
        program_ids=program_ids,
        selector=matching_rules(list(sharing.values())),
        count_unrecorded=False,
    )


def _longest_cooldown(
    program_ids: list[uuid.UUID], rule_sets: dict[uuid.UUID, VersionedRules]
) -> int:
    """How far back an earlier recommendation can still count as already handling a decision."""
    return max(
        (rule.cooldown_days() for p in program_ids for rule in rule_sets[p].rules.rules),
        default=1,
    )


def _decide(
    measured: metrics.CohortMetrics,
    playbooks: dict[uuid.UUID, Playbook],
    prior: dict[uuid.UUID, list[StoredRecommendation]],
    as_of: date,
) -> tuple[dict[uuid.UUID, list[Decision]], list[AutoChange]]:
    """Each measured enrollment's decisions not already handled: those to recommend, per
    enrollment, and the changes `auto` rules make."""
    proposals: dict[uuid.UUID, list[Decision]] = {}
    automatic: list[AutoChange] = []
    # Only the enrollments some rule's condition holds for were measured: the rest
    # would get no decision.
    for enrollment_id, values in measured.values.items():
        state = measured.enrollments[enrollment_id]
        decisions = playbooks[state.program_id].decide(
            values, state.current_phase_id, measured.selected[enrollment_id]
        )
        if not decisions:
            continue
        if enrollment_id in prior:
            earlier = [stored.prior for stored in prior[enrollment_id]]
            decisions = [d for d in decisions if not already_handled(d, earlier, as_of)]
        proposals[enrollment_id] = [d for d in decisions if d.rule.mode != Mode.auto]
        automatic += [AutoChange(state, d) for d in decisions if d.rule.mode == Mode.auto]
    return proposals, automatic


def _propose_unapplied(
    proposals: dict[uuid.UUID, list[Decision]],
    automatic: list[AutoChange],
    applied: list[AutoChange],
) -> None:
    """An automatic change that could not be applied is left for a clinician to approve."""
    done = {id(change) for change in applied}
    for change in automatic:
        if id(change) not in done:
            proposals[change.state.id].append(change.decision)
