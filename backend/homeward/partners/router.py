import uuid

from fastapi import status

from homeward.db import DbSession
from homeward.deps import AdminOnly, CurrentPartner
from homeward.errors import Conflict, NotFound, responses
from homeward.http.pagination import Pagination
from homeward.http.routing import api_router
from homeward.pagination import Page
from homeward.partners import service
from homeward.partners.models import Partner, PartnerApiKey
from homeward.partners.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    PartnerCreate,
    PartnerRead,
)

router = api_router(prefix="/partners", tags=["partners"])
partner_api_router = api_router(tags=["partner-api"])


@router.get("", response_model=Page[PartnerRead])
def list_partners(_: AdminOnly, db: DbSession, page: Pagination) -> Page[PartnerRead]:
    return service.list_partners(db, page)


@router.post(
    "",
    response_model=PartnerRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(Conflict),
)
def create_partner(body: PartnerCreate, admin: AdminOnly, db: DbSession) -> Partner:
    return service.create_partner(db, admin.actor, body)


@router.get("/{partner_id}", response_model=PartnerRead, responses=responses(NotFound))
def get_partner(partner_id: uuid.UUID, _: AdminOnly, db: DbSession) -> Partner:
    return service.get_partner(db, partner_id)


@router.get(
    "/{partner_id}/api-keys", response_model=list[ApiKeyRead], responses=responses(NotFound)
)
def list_api_keys(partner_id: uuid.UUID, _: AdminOnly, db: DbSession) -> list[PartnerApiKey]:
    return service.list_api_keys(db, partner_id)


@router.post(
    "/{partner_id}/api-keys",
    response_model=ApiKeyCreated,
    status_code=status.HTTP_201_CREATED,
    responses=responses(NotFound),
)
def create_api_key(
    partner_id: uuid.UUID, admin: AdminOnly, db: DbSession, body: ApiKeyCreate | None = None
) -> ApiKeyCreated:
    """Create a key. The `key` is in this response only; store it now."""
    return service.create_api_key(db, admin.actor, partner_id, body or ApiKeyCreate())


@router.delete(
    "/{partner_id}/api-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(NotFound),
)
def revoke_api_key(
    partner_id: uuid.UUID, key_id: uuid.UUID, admin: AdminOnly, db: DbSession
) -> None:
    service.revoke_api_key(db, admin.actor, partner_id, key_id)


@partner_api_router.get("/me", response_model=PartnerRead)
def partner_me(partner: CurrentPartner) -> Partner:
    """The partner organization the API key belongs to: a quick check that a key works."""
    return partner.partner
