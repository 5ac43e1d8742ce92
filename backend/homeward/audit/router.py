import uuid
from typing import Annotated

from fastapi import Query

from homeward.audit import service
from homeward.audit.schemas import AuditEventRead
from homeward.db import DbSession
from homeward.deps import require_roles
from homeward.fields import Text, UTCInstant
from homeward.http.pagination import Pagination
from homeward.http.routing import api_router
from homeward.pagination import Page

router = api_router(prefix="/audit-events", tags=["audit"])


@router.get("", response_model=Page[AuditEventRead], dependencies=[require_roles("admin")])
def list_audit_events(
    db: DbSession,
    page: Pagination,
    actor_id: uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    resource_type: Annotated[Annotated[str, Text(max_length=40)] | None, Query()] = None,
    from_: Annotated[UTCInstant | None, Query(alias="from")] = None,
    to: UTCInstant | None = None,
) -> Page[AuditEventRead]:
    return service.list_events(
        db,
        page,
        actor_id=actor_id,
        patient_id=patient_id,
        resource_type=resource_type,
        occurred_from=from_,
        occurred_to=to,
    )
