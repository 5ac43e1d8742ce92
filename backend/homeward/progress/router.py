import uuid
from typing import Annotated

from fastapi import Query

from homeward.db import DbSession
from homeward.deps import StaffPrincipal, require_roles
from homeward.enrollments.exceptions import EnrollmentNotFound
from homeward.errors import responses
from homeward.progress import service
from homeward.progress.schemas import ProgressRead
from homeward.routing import api_router

router = api_router(tags=["progress"])

ClinicalReaders = Annotated[StaffPrincipal, require_roles("admin", "clinician", "medical")]


@router.get(
    "/enrollments/{enrollment_id}/progress",
    response_model=ProgressRead,
    responses=responses(EnrollmentNotFound),
)
def get_progress(
    enrollment_id: uuid.UUID,
    staff: ClinicalReaders,
    db: DbSession,
    weeks: Annotated[int, Query(ge=1, le=52)] = 12,
) -> ProgressRead:
    """Week by week (Monday-start, program time), and every tapering metric as it stands."""
    return service.get_progress(db, staff.actor, enrollment_id, weeks)
