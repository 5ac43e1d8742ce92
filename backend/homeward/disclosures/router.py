import uuid
from typing import Annotated

from fastapi import Query

from homeward.auth.models import Role
from homeward.db import DbSession
from homeward.deps import StaffPrincipal, require_roles
from homeward.disclosures import service
from homeward.disclosures.schemas import Channel, DisclosureRead
from homeward.errors import InvalidInput, responses
from homeward.http.pagination import Pagination
from homeward.http.routing import api_router
from homeward.pagination import Page
from homeward.patients.exceptions import PatientNotFound

router = api_router(prefix="/patients", tags=["disclosures"])

# The same people who read a patient's consents read what was disclosed under them.
DisclosureReader = Annotated[StaffPrincipal, require_roles(Role.admin, Role.clinician, Role.intake)]


@router.get(
    "/{patient_id}/disclosures",
    response_model=Page[DisclosureRead],
    responses=responses(PatientNotFound, InvalidInput),
)
def list_disclosures(
    patient_id: uuid.UUID,
    staff: DisclosureReader,
    db: DbSession,
    page: Pagination,
    channel: Annotated[Channel | None, Query(description="Only `api` or `webhook`")] = None,
) -> Page[DisclosureRead]:
    """The accounting of disclosures (42 CFR 2.24): each, newest first, kept three years."""
    return service.list_disclosures(db, staff.actor, patient_id, page, channel)
