"""Two `homeward worker` processes on PostgreSQL share the outbox: every one of 1,000
events arrives exactly once."""

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from homeward.partners.models import Partner
from homeward.settings import Settings
from homeward.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from homeward.webhooks.outbox import enqueue
from homeward.webhooks.signing import new_secret
from tests.webhooks.receiver import Receiver

EVENTS = 1000
pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
    reason="several workers share the outbox on PostgreSQL",
)


def start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "HOMEWARD_ENVIRONMENT": "test",
        "HOMEWARD_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "homeward.cli", "worker", "--webhooks-only"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
    )


@pytest.fixture
def committed_partner(engine: Engine, receiver: Receiver) -> Iterator[uuid.UUID]:
    """A partner and endpoint the worker processes can see: committed, removed after."""
    with Session(engine) as db:
        partner = Partner(name=f"Workers {uuid.uuid4().hex[:8]}", contact_email="w@p.example")
        db.add(partner)
        db.flush()
        db.add(WebhookEndpoint(partner_id=partner.id, url=receiver.url, secret=new_secret()))
        db.commit()
        partner_id = partner.id
    yield partner_id
    with Session(engine) as db:
        db.execute(delete(Partner).where(Partner.id == partner_id))
        db.commit()


def test_two_workers_deliver_each_event_exactly_once(
    engine: Engine, settings: Settings, receiver: Receiver, committed_partner: uuid.UUID
) -> None:
    workers = [start_worker(settings), start_worker(settings)]
    try:
        with Session(engine) as db:
            for n in range(EVENTS):
                enqueue(
                    db,
                    partner_id=committed_partner,
                    event_type="transfer.received",
                    data={"n": n},
                    patient_id=None,
                    consent_scope=None,
                )
            db.commit()
        assert receiver.wait_for(EVENTS, timeout=50), f"{len(receiver.received)} arrived"
        time.sleep(0.5)  # time for a duplicate to arrive, were there one
        assert all(worker.poll() is None for worker in workers), "a worker died"
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(10)
    ids = Counter(request.headers["webhook-id"] for request in receiver.received)
    assert len(ids) == EVENTS and set(ids.values()) == {1}
    with Session(engine) as db:
        statuses = db.execute(
            select(WebhookDelivery.status, func.count())
            .where(WebhookDelivery.partner_id == committed_partner)
            .group_by(WebhookDelivery.status)
        ).all()
    assert dict(statuses) == {DeliveryStatus.succeeded: EVENTS}
