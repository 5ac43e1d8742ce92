import uuid
from datetime import datetime
from typing import Annotated

from homeward.fields import Text
from homeward.schemas import InputModel, ReadModel
from homeward.webhooks.models import DeliveryStatus


class WebhookEndpointCreate(InputModel):
    url: Annotated[str, Text(min_length=8, max_length=2000)]
    description: Annotated[str, Text(max_length=200)] = ""


class WebhookEndpointRead(ReadModel):
    id: uuid.UUID
    url: str
    description: str
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    failing_since: datetime | None
    created_at: datetime


class WebhookEndpointCreated(WebhookEndpointRead):
    """Shown once: store `secret` to verify signatures."""

    secret: str


class WebhookEndpointAdminRead(WebhookEndpointRead):
    partner_id: uuid.UUID


class WebhookAttemptRead(ReadModel):
    number: int
    attempted_at: datetime
    status_code: int | None
    latency_ms: int | None
    error: str | None


class WebhookDeliveryRead(ReadModel):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    webhook_id: str
    endpoint_id: uuid.UUID
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    completed_at: datetime | None
    created_at: datetime
    attempts: list[WebhookAttemptRead]
