import uuid
from typing import Annotated

from fastapi import Body, Query

from homeward.db import DbSession
from homeward.deps import AdminOnly, StaffPrincipal, require_roles
from homeward.errors import InvalidInput, responses
from homeward.fields import Text
from homeward.http.pagination import Pagination
from homeward.http.routing import api_router
from homeward.pagination import Page
from homeward.programs.exceptions import ProgramNotFound
from homeward.tapering import evaluation, review, service, simulation
from homeward.tapering.exceptions import (
    RecommendationDecided,
    RecommendationNotFound,
    RuleSetVersionNotFound,
    StaleRecommendation,
)
from homeward.tapering.models import Recommendation, RecommendationStatus
from homeward.tapering.rules import RuleSet
from homeward.tapering.schemas import (
    ApproveRequest,
    Backtest,
    DismissRequest,
    EvaluateRequest,
    EvaluationRead,
    RecommendationRead,
    RuleSetRead,
    RuleSetVersionRead,
    SimulationRequest,
    SimulationSnapshot,
)

router = api_router(tags=["tapering"])

Clinical = Annotated[StaffPrincipal, require_roles("admin", "clinician")]
ClinicalReaders = Annotated[StaffPrincipal, require_roles("admin", "clinician", "medical")]


@router.get(
    "/programs/{program_id}/tapering-rules",
    response_model=RuleSetRead,
    responses=responses(ProgramNotFound, RuleSetVersionNotFound),
)
def get_rules(
    program_id: uuid.UUID,
    _: ClinicalReaders,
    db: DbSession,
    version: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
) -> RuleSetRead:
    """The program's current rule set, or an older `version` (0 is the built-in default)."""
    return service.get_rule_set(db, program_id, version).read()


@router.put(
    "/programs/{program_id}/tapering-rules",
    response_model=RuleSetRead,
    responses=responses(ProgramNotFound),
)
def put_rules(program_id: uuid.UUID, body: RuleSet, admin: AdminOnly, db: DbSession) -> RuleSetRead:
    """Store the document as the next version. Errors point at the rule and condition."""
    return service.put_rule_set(db, admin.actor, program_id, body).read()


@router.get(
    "/programs/{program_id}/tapering-rules/versions",
    response_model=Page[RuleSetVersionRead],
    responses=responses(ProgramNotFound),
)
def list_rule_versions(
    program_id: uuid.UUID, _: ClinicalReaders, db: DbSession, page: Pagination
) -> Page[RuleSetVersionRead]:
    return service.list_versions(db, program_id, page)


@router.post(
    "/programs/{program_id}/tapering-rules/simulate",
    response_model=SimulationSnapshot | Backtest,
    responses=responses(ProgramNotFound),
)
def simulate_rules(
    program_id: uuid.UUID, body: SimulationRequest, staff: Clinical, db: DbSession
) -> SimulationSnapshot | Backtest:
    """Evaluate a draft on one date (`as_of`), or replay it over history (`from`, `to`).

    Writes nothing: no recommendation, no change to any enrollment.
    """
    return simulation.simulate(db, staff.actor, program_id, body)


@router.post(
    "/tapering/evaluate",
    response_model=EvaluationRead,
    responses=responses(ProgramNotFound, InvalidInput),
)
def evaluate(
    staff: Clinical, db: DbSession, body: Annotated[EvaluateRequest | None, Body()] = None
) -> EvaluationRead:
    """Evaluate rule sets now: new recommendations, superseded ones, `auto` changes applied."""
    body = body or EvaluateRequest()
    counts = evaluation.evaluate(db, staff.actor, program_id=body.program_id, as_of=body.as_of)
    return EvaluationRead.model_validate(counts, from_attributes=True)


@router.get("/tapering/recommendations", response_model=Page[RecommendationRead])
def list_recommendations(
    staff: ClinicalReaders,
    db: DbSession,
    page: Pagination,
    status: RecommendationStatus | None = None,
    program_id: uuid.UUID | None = None,
    enrollment_id: uuid.UUID | None = None,
    caseload: Annotated[
        Annotated[str, Text(max_length=4, pattern="^mine$")] | None,
        Query(description="`mine`: your primary clients"),
    ] = None,
) -> Page[RecommendationRead]:
    return review.list_recommendations(
        db,
        staff.actor,
        page,
        status=status,
        program_id=program_id,
        enrollment_id=enrollment_id,
        mine=caseload == "mine",
    )


@router.post(
    "/tapering/recommendations/{recommendation_id}/approve",
    response_model=RecommendationRead,
    responses=responses(RecommendationNotFound, StaleRecommendation),
)
def approve(
    recommendation_id: uuid.UUID,
    staff: Clinical,
    db: DbSession,
    body: Annotated[ApproveRequest | None, Body()] = None,
) -> Recommendation:
    """Apply the change in this transaction (future rosters follow) and record who approved."""
    return review.approve(db, staff.actor, recommendation_id, body or ApproveRequest())


@router.post(
    "/tapering/recommendations/{recommendation_id}/dismiss",
    response_model=RecommendationRead,
    responses=responses(RecommendationNotFound, RecommendationDecided),
)
def dismiss(
    recommendation_id: uuid.UUID, body: DismissRequest, staff: Clinical, db: DbSession
) -> Recommendation:
    return review.dismiss(db, staff.actor, recommendation_id, body)
