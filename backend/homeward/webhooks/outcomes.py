"""What an attempt's outcome does to its delivery and endpoint: retries, disabling, and
the accounting of what was disclosed."""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.service import Actor, record
from homeward.disclosures.service import record_disclosure
from homeward.transfers.consent import disclosure_allowed
from homeward.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

if TYPE_CHECKING:
    from homeward.webhooks.delivery import Job

logger = logging.getLogger("homeward.webhooks")

# The Standard Webhooks schedule: the wait before each attempt after the first failure.
RETRY_SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
# Up to this share of a wait is added at random, so retries of many deliveries spread out.
JITTER = 0.1
# A Retry-After beyond this is read as this: a partner cannot park its events for weeks.
MAX_RETRY_AFTER = timedelta(hours=24)
DISABLE_AFTER = timedelta(days=5)


@dataclass(frozen=True)
class Outcome:
    job: "Job"
    status_code: int | None
    latency_ms: int
    error: str | None
    # Whether the endpoint received the request (it answered): the payload was disclosed.
    sent: bool
    retry_after: float | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def next_attempt_at(
    attempt: int, now: datetime, retry_after: float | None, jitter: Callable[[], float]
) -> datetime:
    """When to try again after failed attempt number `attempt` (1 for the first)."""
    wait = RETRY_SCHEDULE[attempt - 1]
    wait += wait * JITTER * jitter()
    if retry_after is not None:
        wait = max(wait, min(timedelta(seconds=retry_after), MAX_RETRY_AFTER))
    return now + wait


def _finish(delivery: WebhookDelivery, status: DeliveryStatus, error: str | None) -> None:
    delivery.status = status
    delivery.last_error = error
    delivery.completed_at = clock.now()
    delivery.next_attempt_at = None
    delivery.lease_token = None
    delivery.leased_until = None


def withhold_or_cancel(
    db: Session,
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    event: WebhookEvent,
    now: datetime,
) -> bool:
    """Settle a leased delivery that must not be sent now; whether it was settled."""
    if not endpoint.enabled or endpoint.deleted_at is not None:
        reason = endpoint.disabled_reason or "the endpoint was deleted"
        _finish(delivery, DeliveryStatus.failed, f"Not sent: {reason}")
        return True
    if event.consent_scope is not None and event.patient_id is not None:
        allowed = disclosure_allowed(
            db,
            partner_id=event.partner_id,
            patient_id=event.patient_id,
            scope=event.consent_scope,
            on=now.date(),
        )
        if not allowed:
            _finish(
                delivery,
                DeliveryStatus.withheld,
                f"Not sent: the patient's consent for {event.consent_scope} is not active",
            )
            return True
    return False


def disable_endpoint(db: Session, endpoint: WebhookEndpoint, reason: str) -> None:
    """Stop sending to an endpoint, and tell the clinic's admins (the audit trail, and
    the disabled endpoints of `GET /webhook-endpoints?enabled=false`)."""
    endpoint.enabled = False
    endpoint.disabled_at = clock.now()
    endpoint.disabled_reason = reason
    record(
        db,
        Actor.system(),
        "webhook_endpoint.disable",
        "webhook_endpoint",
        endpoint.id,
        outcome="failure",
        detail={"partner_id": str(endpoint.partner_id), "reason": reason, "url": endpoint.url},
    )
    logger.warning("webhook endpoint %s disabled: %s", endpoint.id, reason)


def _disclose(db: Session, event: WebhookEvent, endpoint: WebhookEndpoint) -> None:
    if event.patient_id is None:
        return
    record_disclosure(
        db,
        partner_id=event.partner_id,
        patient_id=event.patient_id,
        channel="webhook",
        summary=f"{event.event_type} webhook to {httpx.URL(endpoint.url).host}",
        scopes=[event.consent_scope] if event.consent_scope else [],
    )


def _apply(
    db: Session,
    outcome: Outcome,
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    jitter: Callable[[], float],
) -> None:
    now = clock.now()
    delivery.attempt_count = outcome.job.attempt
    delivery.last_status_code = outcome.status_code
    if outcome.succeeded:
        endpoint.failing_since = None
        _finish(delivery, DeliveryStatus.succeeded, None)
        return
    if outcome.status_code == 410:
        _finish(delivery, DeliveryStatus.failed, outcome.error)
        disable_endpoint(db, endpoint, "the endpoint answered 410 Gone")
        return
    endpoint.failing_since = endpoint.failing_since or now
    if now - endpoint.failing_since >= DISABLE_AFTER:
        _finish(delivery, DeliveryStatus.failed, outcome.error)
        disable_endpoint(db, endpoint, "every delivery failed for five days")
    elif outcome.job.attempt >= MAX_ATTEMPTS:
        _finish(delivery, DeliveryStatus.failed, outcome.error)
    else:
        delivery.last_error = outcome.error
        delivery.next_attempt_at = next_attempt_at(
            outcome.job.attempt, now, outcome.retry_after, jitter
        )
        delivery.lease_token = None
        delivery.leased_until = None


def record_outcomes(db: Session, outcomes: list[Outcome], *, jitter: Callable[[], float]) -> None:
    """Record a batch's attempts and settle each delivery; the caller commits."""
    by_id = {outcome.job.delivery_id: outcome for outcome in outcomes}
    rows = db.execute(
        select(WebhookDelivery, WebhookEndpoint, WebhookEvent)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.id.in_(list(by_id)))
        .order_by(WebhookDelivery.endpoint_id)
        .with_for_update(of=WebhookDelivery)
        .execution_options(populate_existing=True)
    ).all()
    now = clock.now()
    for delivery, endpoint, event in rows:
        outcome = by_id[delivery.id]
        db.add(
            WebhookAttempt(
                id=uuid.uuid4(),
                delivery_id=delivery.id,
                number=outcome.job.attempt,
                attempted_at=now,
                status_code=outcome.status_code,
                latency_ms=outcome.latency_ms,
                error=outcome.error,
            )
        )
        if outcome.sent:
            _disclose(db, event, endpoint)
        if delivery.lease_token != outcome.job.lease_token:
            # The lease ran out and another worker has the delivery now: it settles it.
            continue
        _apply(db, outcome, delivery, endpoint, jitter)
    db.flush()
