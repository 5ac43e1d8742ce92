"""Sending the outbox: lease due deliveries, post them signed, record each attempt.

A pass leases a batch (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers
share the outbox without waiting on each other), commits, sends the batch over HTTP
with no transaction open, then records the outcomes. A worker that dies mid-batch
leaves its leases to expire: another worker sends those deliveries again (at least
once; `webhook-id` lets the partner drop the repeat). The lease outlasts the HTTP
timeout, so no delivery is sent by two workers at once.
"""

import logging
import random
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
import orjson
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from homeward import clock
from homeward.webhooks.exceptions import UnsafeWebhookUrl
from homeward.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from homeward.webhooks.outcomes import Outcome, record_outcomes, withhold_or_cancel
from homeward.webhooks.signing import message_id, signed_headers
from homeward.webhooks.urls import UrlPolicy, check_url

logger = logging.getLogger("homeward.webhooks")

TIMEOUT_SECONDS = 15.0
# Past the HTTP timeout, so a lease never ends while its worker may still be sending.
LEASE = timedelta(seconds=TIMEOUT_SECONDS * 4)
RESPONSE_BODY_CAP = 64 * 1024
ERROR_TEXT_CAP = 500


@dataclass(frozen=True)
class Job:
    delivery_id: uuid.UUID
    lease_token: uuid.UUID
    attempt: int
    url: str
    secret: str
    msg_id: str
    body: str


def event_body(event: WebhookEvent) -> str:
    """The payload Standard Webhooks describes: type, timestamp, data."""
    return orjson.dumps(
        {"type": event.event_type, "timestamp": event.created_at.isoformat(), "data": event.data}
    ).decode()


def lease_due(db: Session, batch_size: int, now: datetime | None = None) -> tuple[list[Job], int]:
    """Lease up to `batch_size` due deliveries: the jobs to send, and how many were due
    (some are settled unsent). The caller commits before sending."""
    now = now or clock.now()
    due = (
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status == DeliveryStatus.pending,
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.leased_until.is_(None), WebhookDelivery.leased_until < now),
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.scalars(due))
    if not ids:
        return [], 0
    token = uuid.uuid4()
    db.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(ids))
        .values(lease_token=token, leased_until=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    rows = db.execute(
        select(WebhookDelivery, WebhookEndpoint, WebhookEvent)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.id.in_(ids))
        .execution_options(populate_existing=True)
    ).all()
    jobs = []
    for delivery, endpoint, event in rows:
        if withhold_or_cancel(db, delivery, endpoint, event, now):
            continue
        jobs.append(
            Job(
                delivery_id=delivery.id,
                lease_token=token,
                attempt=delivery.attempt_count + 1,
                url=endpoint.url,
                secret=endpoint.secret,
                msg_id=message_id(event.id.hex),
                body=event_body(event),
            )
        )
    db.flush()
    return jobs, len(ids)


def retry_after_seconds(response: httpx.Response, now: datetime) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds()) if when.tzinfo else None


def send(client: httpx.Client, job: Job, policy: UrlPolicy) -> Outcome:
    """One attempt: the URL checked again, the body signed now, the answer read capped."""
    started = time.perf_counter()
    try:
        target = check_url(job.url, policy)
    except UnsafeWebhookUrl as error:
        return Outcome(job, status_code=None, latency_ms=0, error=error.detail, sent=False)
    headers = signed_headers(job.secret, job.msg_id, clock.now(), job.body)
    headers["host"] = target.host_header
    request = client.build_request(
        "POST",
        target.pinned_url(),
        content=job.body.encode(),
        headers=headers,
        extensions={"sni_hostname": target.url.host} if target.url.scheme == "https" else {},
    )
    try:
        response = client.send(request, stream=True, follow_redirects=False)
        try:
            read = 0
            for chunk in response.iter_raw():
                read += len(chunk)
                if read >= RESPONSE_BODY_CAP:
                    break
        finally:
            response.close()
    except httpx.HTTPError as error:
        latency = round((time.perf_counter() - started) * 1000)
        message = f"{type(error).__name__}: {error}"[:ERROR_TEXT_CAP]
        return Outcome(job, status_code=None, latency_ms=latency, error=message, sent=False)
    latency = round((time.perf_counter() - started) * 1000)
    ok = 200 <= response.status_code < 300
    return Outcome(
        job,
        status_code=response.status_code,
        latency_ms=latency,
        error=None if ok else f"The endpoint answered {response.status_code}",
        sent=True,
        retry_after=retry_after_seconds(response, clock.now()),
    )


def new_client(concurrency: int) -> httpx.Client:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False, limits=limits)


class Dispatcher:
    """Delivers the outbox; `run_once` is one pass, `run` loops until `stop` is set."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        policy: UrlPolicy,
        *,
        batch_size: int = 50,
        concurrency: int = 8,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.session_factory = session_factory
        self.policy = policy
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.jitter = jitter
        self.client = new_client(concurrency)
        self.pool = ThreadPoolExecutor(concurrency, thread_name_prefix="webhook-send")

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.client.close()

    def run_once(self) -> int:
        """Lease, send and record one batch; the number of deliveries it handled."""
        with self.session_factory() as db:
            jobs, due = lease_due(db, self.batch_size)
            db.commit()
        if not jobs:
            return due
        outcomes = list(self.pool.map(lambda job: send(self.client, job, self.policy), jobs))
        with self.session_factory() as db:
            record_outcomes(db, outcomes, jitter=self.jitter)
            db.commit()
        return due
