"""SQLite: a wait for the write lock ends in the write, or in 503 with Retry-After; never a 500.

The server runs as in production, on a database file of its own (the rest of the suite
shares one rolled-back transaction, which concurrent writers cannot).
"""

import sqlite3
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from homeward import migrate
from homeward.audit.chain import verify_chain
from homeward.audit.models import AuditEvent
from homeward.audit.service import Actor, AuditEntry, record_many
from homeward.db import make_engine, make_session_factory
from homeward.main import create_app
from homeward.settings import Settings
from tests.factories import TEST_PASSWORD, Factories
from tests.live_server import serving

WRITERS = 20
WRITES_EACH = 10
BACKLOG = 5_000  # unlinked audit events the sealer works through meanwhile


@pytest.fixture
def own_database(settings: Settings, tmp_path: Path) -> Iterator[tuple[Settings, str]]:
    """A migrated SQLite file with an admin, and a backlog of events to link."""
    if not settings.is_sqlite:
        pytest.skip("SQLite's write lock")
    own = settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path / 'waits.db'}", "audit_seal_seconds": 0.2}
    )
    migrate.upgrade(own)
    engine = make_engine(own)
    with make_session_factory(engine)() as db:
        email = Factories(db).user("admin").email
        entries = [AuditEntry("test.backlog", "test", str(n)) for n in range(BACKLOG)]
        record_many(db, Actor.system(), entries)
        db.commit()
    engine.dispose()
    yield own, email


def _signed_in(url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    response = client.post("/api/v1/auth/login", json={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def test_twenty_writers_never_get_a_500(own_database: tuple[Settings, str]) -> None:
    own, email = own_database
    statuses: Counter[int] = Counter()
    seconds: list[float] = []
    refused_without_retry_after: list[int] = []
    lock = threading.Lock()
    with serving(lambda: create_app(own)) as url:
        signed_in = _signed_in(url, email)

        def write(writer: int) -> None:
            with httpx.Client(
                base_url=url, cookies=signed_in.cookies, headers=signed_in.headers, timeout=60
            ) as client:
                for n in range(WRITES_EACH):
                    started = time.perf_counter()
                    response = client.post(
                        "/api/v1/patients",
                        json={
                            "given_name": f"Writer{writer}",
                            "family_name": f"Write{n}",
                            "date_of_birth": "1980-01-01",
                        },
                    )
                    with lock:
                        seconds.append(time.perf_counter() - started)
                        statuses[response.status_code] += 1
                        if response.status_code == 503 and "retry-after" not in response.headers:
                            refused_without_retry_after.append(writer)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        signed_in.close()

    seconds.sort()
    print(
        f"\nSQLite, {WRITERS} writer threads x {WRITES_EACH} POST /patients, {BACKLOG} events"
        f" to link: statuses {dict(statuses)}, {elapsed:.1f} s; per write median"
        f" {statistics.median(seconds) * 1000:.0f} ms,"
        f" p99 {seconds[int(len(seconds) * 0.99) - 1] * 1000:.0f} ms,"
        f" max {seconds[-1] * 1000:.0f} ms"
    )
    assert sum(statuses.values()) == WRITERS * WRITES_EACH
    assert set(statuses) <= {201, 503}, statuses
    assert statuses[201] > 0 and not refused_without_retry_after
    engine = make_engine(own)
    with make_session_factory(engine)() as db:
        unlinked = select(func.count()).where(AuditEvent.seq.is_(None))
        assert db.scalar(unlinked) == 0  # the server's sealer linked the backlog
        assert list(verify_chain(db)) == []
    engine.dispose()


def test_a_wait_that_runs_out_is_a_503_with_retry_after(
    own_database: tuple[Settings, str],
) -> None:
    own, email = own_database
    quick = own.model_copy(update={"db_wait_seconds": 0.3, "audit_seal_seconds": 0})
    with serving(lambda: create_app(quick)) as url:
        client = _signed_in(url, email)
        holder = sqlite3.connect(quick.database_url.removeprefix("sqlite:///"))
        holder.isolation_level = None
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            response = client.post(
                "/api/v1/patients",
                json={"given_name": "Waits", "family_name": "Long", "date_of_birth": "1980-01-01"},
            )
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "1"
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "/problems/service-unavailable"
        assert "x-request-id" in response.headers
        retried = client.post(
            "/api/v1/patients",
            json={"given_name": "Waits", "family_name": "Long", "date_of_birth": "1980-01-01"},
        )
        assert retried.status_code == 201
        client.close()
