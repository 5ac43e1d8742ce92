"""An evaluation's earlier recommendations: read in one query per group of programs; a
pending one is kept while the same decision stands and superseded once none does.

Superseding is one statement for those of active enrollments, however many, and one
for those of enrollments no longer active.
"""

import uuid
from collections import defaultdict
from datetime import date, datetime
from typing import NamedTuple, cast

from sqlalchemy import Table, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from homeward.enrollments.models import Enrollment, EnrollmentStatus
from homeward.progress.metrics import EnrollmentState
from homeward.tapering.apply import fingerprint
from homeward.tapering.engine import Decision, PriorRecommendation
from homeward.tapering.models import Recommendation, RecommendationStatus
from homeward.tapering.new_recommendations import NewRecommendations
from homeward.tapering.service import VersionedRules

_TABLE = cast(Table, Recommendation.__table__)


class StoredRecommendation(NamedTuple):
    """An earlier recommendation: what the engine compares, and what superseding needs."""

    id: uuid.UUID
    fingerprint: str
    prior: PriorRecommendation
    active: bool  # whether its enrollment is


def earlier_recommendations(
    db: Session, program_ids: list[uuid.UUID], since: date
) -> dict[uuid.UUID, list[StoredRecommendation]]:
    """Per enrollment: its pending recommendations, and those decided on `since` or later."""
    rows = (
        db.connection()
        .execute(
            select(
                Recommendation.enrollment_id,
                Recommendation.id,
                Recommendation.enrollment_fingerprint,
                Recommendation.rule_name,
                Recommendation.action,
                Recommendation.from_phase_id,
                Recommendation.proposed_phase_id,
                Recommendation.days,
                Recommendation.status,
                Recommendation.as_of,
                Enrollment.status == EnrollmentStatus.active,
            )
            .join(Enrollment, Enrollment.id == Recommendation.enrollment_id)
            .where(
                Recommendation.program_id.in_(program_ids),
                or_(
                    Recommendation.status == RecommendationStatus.pending,
                    and_(
                        Recommendation.status.in_(
                            (
                                RecommendationStatus.approved,
                                RecommendationStatus.applied,
                                RecommendationStatus.dismissed,
                            )
                        ),
                        Recommendation.as_of >= since,
                    ),
                ),
            )
        )
        .all()
    )
    by_enrollment: dict[uuid.UUID, list[StoredRecommendation]] = defaultdict(list)
    for enrollment_id, key, stamp, *prior, active in rows:
        stored = StoredRecommendation(key, stamp, PriorRecommendation(*prior), bool(active))
        by_enrollment[enrollment_id].append(stored)
    return by_enrollment


def renew_pending(
    proposals: dict[uuid.UUID, list[Decision]],
    prior: dict[uuid.UUID, list[StoredRecommendation]],
    states: dict[uuid.UUID, EnrollmentState],
    rule_sets: dict[uuid.UUID, VersionedRules],
    added: NewRecommendations,
) -> list[uuid.UUID]:
    """Adds the proposals no pending recommendation already makes; returns the pending
    recommendations of active enrollments that nothing proposes any more, to supersede."""
    superseded: list[uuid.UUID] = []
    # Pending ones of enrollments no longer active are left to `supersede`, all at once.
    considered = proposals.keys() | {key for key, rows in prior.items() if rows[0].active}
    for enrollment_id in considered:
        decisions = proposals.get(enrollment_id, [])
        pending = [
            stored
            for stored in prior.get(enrollment_id, ())
            if stored.prior.status == RecommendationStatus.pending
        ]
        if not decisions and not pending:
            continue
        kept: set[uuid.UUID] = set()
        if decisions:
            # Only the measured (selected) have decisions, and with them a state.
            state = states[enrollment_id]
            if state.status == EnrollmentStatus.active:
                version = rule_sets[state.program_id].version
                kept = _recommend(decisions, pending, state, version, added)
        superseded.extend(stored.id for stored in pending if stored.id not in kept)
    return superseded


def _recommend(
    decisions: list[Decision],
    pending: list[StoredRecommendation],
    state: EnrollmentState,
    version: int,
    added: NewRecommendations,
) -> set[uuid.UUID]:
    """Adds the decisions no pending recommendation makes for the enrollment as it is now;
    returns the pending ones that still stand."""
    kept: set[uuid.UUID] = set()
    for decision in decisions:
        expected = fingerprint(state, decision.action)
        same = next(
            (
                stored
                for stored in pending
                if stored.id not in kept
                and stored.prior.key() == decision.key()
                and stored.fingerprint == expected
            ),
            None,
        )
        if same is not None:
            kept.add(same.id)
            continue
        added.add(decision, state, version, RecommendationStatus.pending, expected)
    return kept


def supersede(
    db: Session, program_ids: list[uuid.UUID], superseded: list[uuid.UUID], now: datetime
) -> int:
    """Marks `superseded` so, and the pending recommendations of enrollments no longer
    active; returns how many of the latter there were."""
    if superseded:
        db.connection().execute(
            update(_TABLE)
            .where(_TABLE.c.id == bindparam("recommendation"))
            .values(status=RecommendationStatus.superseded, decided_at=now),
            [{"recommendation": key} for key in superseded],
        )
    # Pending recommendations of enrollments no longer active have nothing left to change.
    left = db.execute(
        update(Recommendation)
        .where(
            Recommendation.program_id.in_(program_ids),
            Recommendation.status == RecommendationStatus.pending,
            Recommendation.enrollment_id.in_(
                select(Enrollment.id).where(
                    Enrollment.program_id.in_(program_ids),
                    Enrollment.status != EnrollmentStatus.active,
                )
            ),
        )
        .values(status=RecommendationStatus.superseded, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    return left.rowcount or 0  # type: ignore[attr-defined]
