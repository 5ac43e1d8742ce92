"""One key fired at once from many threads makes one transfer; a request in flight is 409.

These run against a live server over a database of their own, each request on its own
connection, committing for real.
"""

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from homeward.audit.service import Actor
from homeward.main import create_app
from homeward.partners import service as partners_service
from homeward.partners.models import Partner
from homeward.partners.schemas import ApiKeyCreate
from homeward.settings import Settings
from homeward.transfers.models import Transfer
from tests.own_database import live_server, own_database
from tests.transfers.helpers import transfer_body

THREADS = 8


@dataclass
class Served:
    base: str
    key: str
    factory: sessionmaker[Session]
    settings: Settings

    def post(self, idempotency_key: str, body: dict[str, object]) -> httpx.Response:
        return httpx.post(
            f"{self.base}/api/v1/partner/transfers",
            json=body,
            headers={"Authorization": f"Bearer {self.key}", "Idempotency-Key": idempotency_key},
            timeout=60,
        )

    def transfers(self) -> int:
        with self.factory() as db:
            return db.scalar(select(func.count()).select_from(Transfer)) or 0


@pytest.fixture
def served(settings: Settings, tmp_path: Path) -> Iterator[Served]:
    with own_database(settings, tmp_path) as own:
        app = create_app(own)
        factory: sessionmaker[Session] = app.state.session_factory
        with factory() as db:
            partner = Partner(name="Concurrent Partner", contact_email="p@partner.example")
            db.add(partner)
            db.flush()
            key = partners_service.create_api_key(
                db, Actor.system(), partner.id, ApiKeyCreate()
            ).key
            db.commit()
        with live_server(app) as base:
            yield Served(base, key, factory, own)


def test_threads_firing_one_key_at_once_make_one_transfer(served: Served) -> None:
    key, body = str(uuid.uuid4()), transfer_body()
    start = threading.Barrier(THREADS)

    def fire(_: int) -> httpx.Response:
        start.wait()
        return served.post(key, body)

    with ThreadPoolExecutor(THREADS) as pool:
        responses = list(pool.map(fire, range(THREADS)))
    statuses = sorted(r.status_code for r in responses)
    # Each either made the transfer, replayed it, or found it still in flight.
    assert set(statuses) <= {201, 409}, statuses
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    replay = served.post(key, body)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["id"] in created
    assert served.transfers() == 1


def test_a_request_in_flight_is_409_and_its_retry_replays(served: Served) -> None:
    if served.settings.is_sqlite:
        pytest.skip("SQLite runs one write at a time: a second request waits, then replays")
    key, body = str(uuid.uuid4()), transfer_body()
    # A key's first use records when it was used, a row lock held to the end of that
    # request; use it once first so that the two requests below meet only at their key.
    warm = httpx.get(
        f"{served.base}/api/v1/partner/programs",
        headers={"Authorization": f"Bearer {served.key}"},
        timeout=60,
    )
    assert warm.status_code == 200, warm.text
    engine = served.factory.kw["bind"]
    with engine.connect() as blocker:
        # Hold back the first request's insert, with its key held, until we let go.
        blocker.execute(text("LOCK TABLE transfers IN SHARE ROW EXCLUSIVE MODE"))
        with ThreadPoolExecutor(1) as pool:
            first = pool.submit(served.post, key, body)
            deadline = time.monotonic() + 30
            # It holds its key once it waits for the table (other advisory locks, such as
            # the audit chain's, come and go meanwhile and say nothing about this request).
            while not blocker.scalar(
                text(
                    "SELECT count(*) FROM pg_locks "
                    "WHERE relation = 'transfers'::regclass AND NOT granted"
                )
            ):
                assert time.monotonic() < deadline, "the first request never took its key"
                time.sleep(0.05)
            second = served.post(key, body)
            assert second.status_code == 409
            assert second.json()["type"] == "/problems/idempotency-key-in-flight"
            assert second.headers["retry-after"] == "1"
            blocker.rollback()
            assert first.result().status_code == 201
    retry = served.post(key, body)
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["id"] == first.result().json()["id"]
    assert served.transfers() == 1
