import uuid
from typing import Annotated

from fastapi import Query, Response

from homeward.db import current_session
from homeward.deps import Reads, StaffPrincipal, require_roles
from homeward.enrollments.exceptions import EnrollmentNotFound
from homeward.errors import responses
from homeward.http.routing import api_router
from homeward.progress import service
from homeward.progress.schemas import ProgressRead

router = api_router(tags=["progress"])

ClinicalReaders = Annotated[StaffPrincipal, require_roles("admin", "clinician", "medical")]


@router.get(
    "/enrollments/{enrollment_id}/progress",
    response_model=ProgressRead,
    responses=responses(EnrollmentNotFound),
)
async def get_progress(
    enrollment_id: uuid.UUID,
    staff: ClinicalReaders,
    reads: Reads,
    weeks: Annotated[int, Query(ge=1, le=52)] = 12,
) -> Response:
    """Week by week (Monday-start, program time), and every tapering metric as it stands."""
    body = await service.get_progress(reads, current_session, staff.actor, enrollment_id, weeks)
    return Response(body, media_type="application/json")
