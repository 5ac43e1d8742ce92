"""The review queue: listing recommendations, approving and dismissing them."""

import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.enrollments.models import Enrollment, EnrollmentStatus
from homeward.pagination import Page, PageParams, paginate_about_patients
from homeward.tapering.apply import apply_change, fingerprint
from homeward.tapering.exceptions import (
    RecommendationDecided,
    RecommendationNotFound,
    StaleRecommendation,
)
from homeward.tapering.models import PHASE_ACTIONS, Recommendation, RecommendationStatus
from homeward.tapering.schemas import ApproveRequest, DismissRequest, RecommendationRead


def list_recommendations(
    db: Session,
    actor: Actor,
    params: PageParams,
    *,
    status: RecommendationStatus | None = None,
    program_id: uuid.UUID | None = None,
    enrollment_id: uuid.UUID | None = None,
    mine: bool = False,
) -> Page[RecommendationRead]:
    """Newest first. `mine`: enrollments whose primary clinician is the caller."""
    statement = select(Recommendation, Enrollment.patient_id).join(
        Enrollment, Enrollment.id == Recommendation.enrollment_id
    )
    if status is not None:
        statement = statement.where(Recommendation.status == status)
    if program_id is not None:
        statement = statement.where(Recommendation.program_id == program_id)
    if enrollment_id is not None:
        statement = statement.where(Recommendation.enrollment_id == enrollment_id)
    if mine:
        statement = statement.where(Enrollment.primary_clinician_id == actor.id)
    page, patient_ids = paginate_about_patients(
        db,
        statement,
        [Recommendation.created_at, Recommendation.id],
        params,
        read_as=RecommendationRead,
        descending=True,
    )
    record(
        db,
        actor,
        "recommendation.list",
        "recommendation",
        detail={"count": len(page.items), "status": status.value if status else None},
        patient_ids=patient_ids,
    )
    return page


def _pending(db: Session, recommendation_id: uuid.UUID) -> Recommendation:
    recommendation = db.get(Recommendation, recommendation_id, with_for_update=True)
    if recommendation is None:
        raise RecommendationNotFound()
    if recommendation.status != RecommendationStatus.pending:
        raise RecommendationDecided(f"It is {recommendation.status.value}")
    return recommendation


def approve(
    db: Session, actor: Actor, recommendation_id: uuid.UUID, data: ApproveRequest
) -> Recommendation:
    """Carry out the change in this transaction, through the enrollment services."""
    recommendation = _pending(db, recommendation_id)
    enrollment = db.get(Enrollment, recommendation.enrollment_id)
    assert enrollment is not None  # recommendations cascade with their enrollment
    if (
        enrollment.status != EnrollmentStatus.active
        or fingerprint(enrollment, recommendation.action) != recommendation.enrollment_fingerprint
    ):
        raise StaleRecommendation(
            "The enrollment's phase, status or end date changed since; evaluate again"
        )
    patient_id = enrollment.patient_id
    apply_change(
        db,
        actor,
        enrollment.id,
        action=recommendation.action,
        rule_name=recommendation.rule_name,
        proposed_phase_id=recommendation.proposed_phase_id,
        days=recommendation.days,
        metrics=[item["metric"] for item in recommendation.evidence],
        on=None,
        note=data.note,
    )
    recommendation.status = RecommendationStatus.approved
    recommendation.decided_at = clock.now()
    recommendation.decided_by_id = actor.id
    recommendation.decision_note = data.note
    db.flush()
    if recommendation.action in PHASE_ACTIONS:
        supersede_phase_recommendations(db, recommendation.enrollment_id)
    record(
        db,
        actor,
        "recommendation.approve",
        "recommendation",
        recommendation.id,
        patient_id=patient_id,
        detail={"action": recommendation.action.value, "rule": recommendation.rule_name},
    )
    return recommendation


def dismiss(
    db: Session, actor: Actor, recommendation_id: uuid.UUID, data: DismissRequest
) -> Recommendation:
    recommendation = _pending(db, recommendation_id)
    recommendation.status = RecommendationStatus.dismissed
    recommendation.decided_at = clock.now()
    recommendation.decided_by_id = actor.id
    recommendation.decision_note = data.reason
    db.flush()
    patient_id = db.scalar(
        select(Enrollment.patient_id).where(Enrollment.id == recommendation.enrollment_id)
    )
    record(
        db,
        actor,
        "recommendation.dismiss",
        "recommendation",
        recommendation.id,
        patient_id=patient_id,
        detail={"action": recommendation.action.value, "rule": recommendation.rule_name},
    )
    return recommendation


def supersede_phase_recommendations(db: Session, enrollment_id: uuid.UUID) -> int:
    """Retire an enrollment's pending phase proposals: its phase or status just changed.

    For the enrollment services to call after a change made by hand; evaluation
    and approval also detect such a change on their own.
    """
    result = db.execute(
        update(Recommendation)
        .where(
            Recommendation.enrollment_id == enrollment_id,
            Recommendation.status == RecommendationStatus.pending,
            Recommendation.action.in_(PHASE_ACTIONS),
        )
        .values(status=RecommendationStatus.superseded, decided_at=clock.now())
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
