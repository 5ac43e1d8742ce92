import uuid
from typing import Annotated

from fastapi import Query, Request, Response, status

from homeward.db import DbSession
from homeward.deps import AdminOnly, CurrentPartner, PartnerPrincipal, SettingsDep
from homeward.errors import responses
from homeward.http.pagination import Pagination
from homeward.http.routing import api_router
from homeward.idempotency.http import (
    REQUIRED_ERRORS,
    RequiredIdempotencyKey,
    idempotent,
    json_response,
    require_key,
)
from homeward.pagination import Page
from homeward.webhooks import service
from homeward.webhooks.exceptions import (
    EndpointDisabled,
    UnsafeWebhookUrl,
    WebhookDeliveryNotFound,
    WebhookEndpointNotFound,
)
from homeward.webhooks.models import DeliveryStatus
from homeward.webhooks.schemas import (
    WebhookDeliveryRead,
    WebhookEndpointAdminRead,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointRead,
)
from homeward.webhooks.urls import UrlPolicy

partner_api_router = api_router(tags=["partner-webhooks"])
router = api_router(prefix="/webhook-endpoints", tags=["webhooks"])


def _owner(partner: PartnerPrincipal) -> str:
    # The transfers' namespace too: one key is one request across the partner API.
    return f"partner:{partner.partner.id}"


@partner_api_router.get("/webhook-endpoints", response_model=Page[WebhookEndpointRead])
def list_webhook_endpoints(
    partner: CurrentPartner, db: DbSession, page: Pagination
) -> Page[WebhookEndpointRead]:
    return service.list_endpoints(db, partner.partner.id, page)


@partner_api_router.post(
    "/webhook-endpoints",
    response_model=WebhookEndpointCreated,
    status_code=status.HTTP_201_CREATED,
    responses=responses(UnsafeWebhookUrl, *REQUIRED_ERRORS),
)
def create_webhook_endpoint(
    body: WebhookEndpointCreate,
    partner: CurrentPartner,
    db: DbSession,
    settings: SettingsDep,
    request: Request,
    idempotency_key: RequiredIdempotencyKey = None,
) -> Response:
    """Register a URL for events. The `secret` (`whsec_…`) is in this response only (and in
    its replays, to the same key, for 24 hours). Requires `Idempotency-Key`."""

    def run() -> Response:
        policy = UrlPolicy.of(settings)
        created = service.create_endpoint(db, partner.actor, partner.partner.id, body, policy)
        return json_response(created, 201)

    return idempotent(
        db, request, owner=_owner(partner), key=require_key(idempotency_key), body=body, run=run
    )


@partner_api_router.delete(
    "/webhook-endpoints/{endpoint_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(WebhookEndpointNotFound),
)
def delete_webhook_endpoint(endpoint_id: uuid.UUID, partner: CurrentPartner, db: DbSession) -> None:
    service.delete_endpoint(db, partner.actor, partner.partner.id, endpoint_id)


@partner_api_router.get("/webhook-deliveries", response_model=Page[WebhookDeliveryRead])
def list_webhook_deliveries(
    partner: CurrentPartner,
    db: DbSession,
    page: Pagination,
    endpoint_id: uuid.UUID | None = None,
    delivery_status: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
) -> Page[WebhookDeliveryRead]:
    """Newest first, each with every attempt's status code, latency and error."""
    return service.list_deliveries(
        db, partner.partner.id, page, endpoint_id=endpoint_id, status=delivery_status
    )


@partner_api_router.post(
    "/webhook-deliveries/{delivery_id}/redeliver",
    response_model=WebhookDeliveryRead,
    status_code=status.HTTP_202_ACCEPTED,
    responses=responses(WebhookDeliveryNotFound, EndpointDisabled, *REQUIRED_ERRORS),
)
def redeliver_webhook(
    delivery_id: uuid.UUID,
    partner: CurrentPartner,
    db: DbSession,
    request: Request,
    idempotency_key: RequiredIdempotencyKey = None,
) -> Response:
    """Send the delivery's event again (same `webhook-id`), as a new delivery due now.
    Requires `Idempotency-Key`: a retried request queues it once."""

    def run() -> Response:
        again = service.redeliver(db, partner.actor, partner.partner.id, delivery_id)
        return json_response(again, 202)

    return idempotent(
        db, request, owner=_owner(partner), key=require_key(idempotency_key), body=None, run=run
    )


@router.get("", response_model=Page[WebhookEndpointAdminRead])
def list_all_webhook_endpoints(
    _: AdminOnly, db: DbSession, page: Pagination, enabled: bool | None = None
) -> Page[WebhookEndpointAdminRead]:
    """Every partner's endpoints; `enabled=false` lists those disabled after failing."""
    return service.list_all_endpoints(db, page, enabled=enabled)
