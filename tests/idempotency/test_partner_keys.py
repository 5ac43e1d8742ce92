"""The Idempotency-Key on partner POSTs: replay, conflict, missing key, expiry, in flight."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.transfers.models import Transfer
from tests.factories import Factories
from tests.transfers.helpers import PartnerClient, new_partner, transfer_body

T = "/api/v1/partner/transfers"


@pytest.fixture
def partner(app: FastAPI, factories: Factories) -> PartnerClient:
    return new_partner(app, factories)


def _count(db: Session, partner: PartnerClient) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(Transfer)
            .where(Transfer.partner_id == partner.partner.id)
        )
        or 0
    )


def test_the_same_key_and_body_replay_the_first_response(
    partner: PartnerClient, db: Session
) -> None:
    key, body = str(uuid.uuid4()), transfer_body()
    first = partner.submit(body, key)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    replay = partner.submit(body, key)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    assert replay.headers["location"] == first.headers["location"]
    assert _count(db, partner) == 1


def test_the_same_key_with_another_body_is_422(partner: PartnerClient, db: Session) -> None:
    key = str(uuid.uuid4())
    assert partner.submit(transfer_body(), key).status_code == 201
    other = partner.submit(transfer_body(), key)  # another resident id
    assert other.status_code == 422
    assert other.json()["type"] == "/problems/idempotency-key-reused"
    assert _count(db, partner) == 1


def test_keys_belong_to_their_partner(
    app: FastAPI, factories: Factories, partner: PartnerClient, db: Session
) -> None:
    key, body = str(uuid.uuid4()), transfer_body()
    mine = partner.submit(body, key).json()
    other = new_partner(app, factories)
    theirs = other.submit(body, key)
    assert theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert theirs.json()["id"] != mine["id"]


def test_a_missing_or_malformed_key_is_400(partner: PartnerClient, db: Session) -> None:
    missing = partner.post(T, json=transfer_body())
    assert missing.status_code == 400
    assert missing.json()["type"] == "/problems/idempotency-key-missing"
    transfer = partner.submit().json()
    cancel = partner.post(f"{T}/{transfer['id']}/cancel")
    assert cancel.status_code == 400
    bad = partner.submit(transfer_body(), "x" * 256)
    assert bad.status_code == 400
    assert _count(db, partner) == 1


def test_a_failed_request_keeps_nothing_so_a_corrected_retry_runs(
    partner: PartnerClient, db: Session
) -> None:
    key = str(uuid.uuid4())
    body = transfer_body()
    body["discharge"]["discharged_on"] = (clock.now().date() + timedelta(days=5)).isoformat()
    assert partner.submit(body, key).status_code == 422
    body["discharge"]["discharged_on"] = clock.now().date().isoformat()
    retried = partner.submit(body, key)
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers


class _Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.current = datetime.now(UTC)
        monkeypatch.setattr(clock, "now", lambda: self.current)


@pytest.fixture
def travel(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Clock]:
    yield _Clock(monkeypatch)


def test_keys_expire_after_24_hours(partner: PartnerClient, db: Session, travel: _Clock) -> None:
    key, body = str(uuid.uuid4()), transfer_body()
    first = partner.submit(body, key).json()
    travel.current += timedelta(hours=23, minutes=59)
    assert partner.submit(body, key).headers.get("idempotent-replayed") == "true"
    travel.current += timedelta(minutes=2)
    later = partner.submit(body, key)
    assert later.status_code == 201
    assert "idempotent-replayed" not in later.headers
    assert later.json()["id"] != first["id"]
    assert _count(db, partner) == 2
