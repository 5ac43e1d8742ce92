"""Parallel sign-ins on real servers: every failure counts, and none of them is a 500.

On SQLite one server process; on PostgreSQL two, sharing the database, with the
attempts split between them.
"""

import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from homeward.auth.models import SignInThrottle, User
from homeward.db import make_engine, make_session_factory
from homeward.settings import Settings
from tests.auth.served import Server, own_database, serve
from tests.factories import TEST_PASSWORD, Factories

ATTEMPTS = 40
NEW_EMAIL_ATTEMPTS = 30
LOGIN = "/api/v1/auth/login"


@dataclass
class Clinic:
    settings: Settings
    servers: list[Server]
    target: User
    admin: User


@pytest.fixture
def clinic(settings: Settings) -> Iterator[Clinic]:
    with own_database(settings) as own:
        engine = make_engine(own)
        with make_session_factory(engine)() as db:
            factories = Factories(db)
            target, admin = factories.user("clinician"), factories.user("admin")
            db.commit()
        engine.dispose()
        # Every attempt comes from 127.0.0.1; the address throttle is tested on its own.
        with serve(own, 1 if own.is_sqlite else 2, login_address_max_failures="1000") as servers:
            yield Clinic(own, servers, target, admin)


def _failures(settings: Settings, key: str) -> int:
    engine = make_engine(settings)
    with make_session_factory(engine)() as db:
        failures = db.scalar(select(SignInThrottle.failures).where(SignInThrottle.key == key))
    engine.dispose()
    return failures or 0


def _sign_in(server: Server, email: str, password: str) -> int:
    response = httpx.post(
        server.url + LOGIN, json={"email": email, "password": password}, timeout=120
    )
    return response.status_code


def _burst(clinic: Clinic, email: str, attempts: int) -> Counter[int]:
    servers = clinic.servers
    with ThreadPoolExecutor(max_workers=attempts) as pool:
        statuses = pool.map(
            lambda n: _sign_in(servers[n % len(servers)], email, f"wrong-guess-{n:04d}-xyz"),
            range(attempts),
        )
        return Counter(statuses)


def _writes_while(clinic: Clinic, attempts: int) -> tuple[Counter[int], Counter[int]]:
    """The burst, and meanwhile a signed-in admin's writes on the first server."""
    server = clinic.servers[0]
    with httpx.Client(base_url=server.url, timeout=120) as admin:
        signed_in = admin.post(LOGIN, json={"email": clinic.admin.email, "password": TEST_PASSWORD})
        assert signed_in.status_code == 200, signed_in.text
        admin.headers["X-CSRF-Token"] = signed_in.json()["csrf_token"]
        with ThreadPoolExecutor(max_workers=1) as side:
            burst = side.submit(_burst, clinic, clinic.target.email, attempts)
            writes: Counter[int] = Counter()
            while not burst.done():
                body = {"name": f"Partner {uuid.uuid4().hex[:8]}", "contact_email": "a@b.example"}
                writes[admin.post("/api/v1/partners", json=body).status_code] += 1
            return burst.result(), writes


def test_parallel_wrong_passwords_are_each_counted_and_lock(clinic: Clinic) -> None:
    statuses, writes = _writes_while(clinic, ATTEMPTS)
    print(f"{ATTEMPTS} parallel wrong passwords on {len(clinic.servers)} process(es): {statuses}")
    print(f"an admin's writes meanwhile: {writes}")
    assert set(statuses) <= {401, 429}, statuses
    # Each 401 is a guess that was checked, and each was counted: none was lost.
    assert _failures(clinic.settings, f"account:{clinic.target.email}") == statuses[401]
    assert statuses[401] >= 10
    assert set(writes) == {201}, writes
    for server in clinic.servers:
        assert _sign_in(server, clinic.target.email, TEST_PASSWORD) == 429


def test_parallel_first_attempts_for_a_new_email_are_each_counted(clinic: Clinic) -> None:
    email = f"nobody-{uuid.uuid4().hex[:6]}@clinic.example"
    statuses = _burst(clinic, email, NEW_EMAIL_ATTEMPTS)
    print(f"{NEW_EMAIL_ATTEMPTS} parallel attempts for a new email: {statuses}")
    assert set(statuses) <= {401, 429}, statuses
    assert _failures(clinic.settings, f"account:{email}") == statuses[401] >= 10
    assert _sign_in(clinic.servers[-1], email, "wrong-guess-final-xyz") == 429
