"""A partner's webhook endpoints and deliveries, as the partner manages them."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.pagination import Page, PageParams, paginate
from homeward.webhooks.exceptions import (
    EndpointDisabled,
    WebhookDeliveryNotFound,
    WebhookEndpointNotFound,
)
from homeward.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from homeward.webhooks.outbox import new_delivery, notify
from homeward.webhooks.schemas import (
    WebhookDeliveryRead,
    WebhookEndpointAdminRead,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointRead,
)
from homeward.webhooks.signing import new_secret
from homeward.webhooks.urls import UrlPolicy, check_url


def list_endpoints(
    db: Session, partner_id: uuid.UUID, params: PageParams
) -> Page[WebhookEndpointRead]:
    statement = select(WebhookEndpoint).where(
        WebhookEndpoint.partner_id == partner_id, WebhookEndpoint.deleted_at.is_(None)
    )
    order = [WebhookEndpoint.created_at, WebhookEndpoint.id]
    return paginate(db, statement, order, params, read_as=WebhookEndpointRead)


def create_endpoint(
    db: Session,
    actor: Actor,
    partner_id: uuid.UUID,
    data: WebhookEndpointCreate,
    policy: UrlPolicy,
) -> WebhookEndpointCreated:
    check_url(data.url, policy)
    endpoint = WebhookEndpoint(
        partner_id=partner_id,
        url=data.url,
        description=data.description,
        secret=new_secret(),
        enabled=True,
        created_at=clock.now(),
    )
    db.add(endpoint)
    db.flush()
    record(db, actor, "webhook_endpoint.create", "webhook_endpoint", endpoint.id)
    read = WebhookEndpointRead.model_validate(endpoint)
    return WebhookEndpointCreated(**read.model_dump(), secret=endpoint.secret)


def _own_endpoint(db: Session, partner_id: uuid.UUID, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = db.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.partner_id != partner_id or endpoint.deleted_at is not None:
        raise WebhookEndpointNotFound("No such webhook endpoint")
    return endpoint


def delete_endpoint(
    db: Session, actor: Actor, partner_id: uuid.UUID, endpoint_id: uuid.UUID
) -> None:
    """Stop sending to it; its delivery log stays readable."""
    endpoint = _own_endpoint(db, partner_id, endpoint_id)
    endpoint.deleted_at = clock.now()
    endpoint.enabled = False
    record(db, actor, "webhook_endpoint.delete", "webhook_endpoint", endpoint.id)
    db.flush()


def list_deliveries(
    db: Session,
    partner_id: uuid.UUID,
    params: PageParams,
    *,
    endpoint_id: uuid.UUID | None = None,
    status: DeliveryStatus | None = None,
) -> Page[WebhookDeliveryRead]:
    """Newest first, each with its attempts (two more queries for the page, not per row)."""
    statement = (
        select(WebhookDelivery)
        .where(WebhookDelivery.partner_id == partner_id)
        .options(selectinload(WebhookDelivery.attempts), selectinload(WebhookDelivery.event))
    )
    if endpoint_id is not None:
        statement = statement.where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status)
    order = [WebhookDelivery.created_at, WebhookDelivery.id]
    return paginate(db, statement, order, params, read_as=WebhookDeliveryRead, descending=True)


def redeliver(
    db: Session, actor: Actor, partner_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDeliveryRead:
    """Send a delivery's event to its endpoint again, as a new delivery due now."""
    original = db.get(WebhookDelivery, delivery_id)
    if original is None or original.partner_id != partner_id:
        raise WebhookDeliveryNotFound("No such webhook delivery")
    endpoint = original.endpoint
    if endpoint.deleted_at is not None:
        raise WebhookDeliveryNotFound("The delivery's endpoint was deleted")
    if not endpoint.enabled:
        raise EndpointDisabled(
            f"The endpoint is disabled ({endpoint.disabled_reason}); register it again to "
            "receive events"
        )
    delivery = new_delivery(original.event, endpoint.id)
    db.add(delivery)
    db.flush()
    notify(db)
    record(
        db,
        actor,
        "webhook_delivery.redeliver",
        "webhook_delivery",
        delivery.id,
        detail={"redelivery_of": str(original.id)},
    )
    db.refresh(delivery, ["attempts", "event"])
    return WebhookDeliveryRead.model_validate(delivery)


def list_all_endpoints(
    db: Session, params: PageParams, *, enabled: bool | None = None
) -> Page[WebhookEndpointAdminRead]:
    """Every partner's endpoints, for admins: the disabled ones are what needs attention."""
    statement = select(WebhookEndpoint).where(WebhookEndpoint.deleted_at.is_(None))
    if enabled is not None:
        statement = statement.where(WebhookEndpoint.enabled.is_(enabled))
    order = [WebhookEndpoint.created_at, WebhookEndpoint.id]
    return paginate(db, statement, order, params, read_as=WebhookEndpointAdminRead, descending=True)
