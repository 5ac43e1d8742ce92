"""A revocation made on one server process reaches another within about a second.

Two uvicorn processes share one PostgreSQL database. Each change is made on the first,
while the second has just verified (and cached) the login it ends or narrows.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from homeward.auth.models import User
from homeward.db import make_engine, make_session_factory
from homeward.settings import Settings
from tests.auth.served import Server, own_database, serve
from tests.factories import TEST_PASSWORD, Factories

# Far longer than a revocation may take, so that only the counter can end the trust.
TRUST_SECONDS = 60
# Far below the trust: only the counter can meet it. Loose, for a busy machine's requests.
WITHIN_SECONDS = TRUST_SECONDS / 4


@dataclass
class Pair:
    first: Server
    second: Server
    admin: User
    users: dict[str, User]


@pytest.fixture
def pair(settings: Settings) -> Iterator[Pair]:
    if settings.is_sqlite:
        pytest.skip("several server processes share a PostgreSQL database, not a SQLite file")
    with own_database(settings) as own:
        engine = make_engine(own)
        with make_session_factory(engine)() as db:
            factories = Factories(db)
            admin = factories.user("admin")
            users = {name: factories.user("admin") for name in ("out", "off", "demoted")}
            db.commit()
        engine.dispose()
        with serve(own, 2, login_trust_seconds=str(TRUST_SECONDS)) as (first, second):
            yield Pair(first, second, admin, users)


def _signed_in(server: Server, user: User) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    response = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def _on(server: Server, signed_in: httpx.Client) -> httpx.Client:
    """The same login (cookie and CSRF token) sent to another server process."""
    client = httpx.Client(base_url=server.url, timeout=60, headers=signed_in.headers)
    client.cookies = signed_in.cookies
    return client


def _seconds_until(refused: Callable[[], bool]) -> float:
    started = time.monotonic()
    while not refused():
        if time.monotonic() - started > TRUST_SECONDS:
            return float("inf")
        time.sleep(0.05)
    return time.monotonic() - started


def _write(client: httpx.Client) -> int:
    body = {"name": f"Partner {time.monotonic_ns()}", "contact_email": "a@partner.example"}
    return client.post("/api/v1/partners", json=body).status_code


def test_sign_out_deactivation_and_role_change_reach_the_other_process(pair: Pair) -> None:
    admin = _signed_in(pair.first, pair.admin)
    latencies: dict[str, float] = {}

    out = _signed_in(pair.first, pair.users["out"])
    out_elsewhere = _on(pair.second, out)
    assert out_elsewhere.get("/api/v1/auth/me").status_code == 200  # cached there now
    assert out.post("/api/v1/auth/logout").status_code == 204
    latencies["sign-out"] = _seconds_until(
        lambda: out_elsewhere.get("/api/v1/auth/me").status_code == 401
    )

    off = _on(pair.second, _signed_in(pair.first, pair.users["off"]))
    assert _write(off) == 201
    user_id = pair.users["off"].id
    assert admin.patch(f"/api/v1/users/{user_id}", json={"active": False}).status_code == 200
    latencies["deactivation"] = _seconds_until(lambda: _write(off) == 401)

    demoted = _on(pair.second, _signed_in(pair.first, pair.users["demoted"]))
    assert _write(demoted) == 201
    user_id = pair.users["demoted"].id
    assert admin.patch(f"/api/v1/users/{user_id}", json={"role": "viewer"}).status_code == 200
    latencies["role change"] = _seconds_until(lambda: _write(demoted) == 403)

    print(
        "revocation reached the other process after: "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in latencies.items())
    )
    assert all(seconds < WITHIN_SECONDS for seconds in latencies.values()), latencies
