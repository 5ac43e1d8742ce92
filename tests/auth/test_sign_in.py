"""The address throttle, trusted browsers and addresses, and what a password is."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from homeward.deps import DEVICE_COOKIE
from homeward.main import create_app
from homeward.settings import Settings
from tests.auth.conftest import Clock
from tests.factories import TEST_PASSWORD, Factories, StaffClient

LOGIN = "/api/v1/auth/login"
WRONG = "wrong-password-xyz"
ADDRESS_LIMIT = 5


def _from(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, client=(address, 50000))


def _login(client: TestClient, email: str, password: str = TEST_PASSWORD) -> Response:
    return client.post(LOGIN, json={"email": email, "password": password})


def _throttled_app(settings: Settings, session_factory: sessionmaker[Session]) -> FastAPI:
    own = settings.model_copy(update={"login_address_max_failures": ADDRESS_LIMIT})
    return create_app(own, session_factory=session_factory)


def test_one_address_spraying_many_accounts_is_throttled(
    settings: Settings,
    session_factory: sessionmaker[Session],
    factories: Factories,
    travel: Clock,
) -> None:
    app = _throttled_app(settings, session_factory)
    users = [factories.user() for _ in range(ADDRESS_LIMIT + 1)]
    sprayer = _from(app, "198.51.100.7")
    for user in users[:ADDRESS_LIMIT]:
        assert _login(sprayer, user.email, WRONG).status_code == 401
    throttled = _login(sprayer, users[-1].email)  # even the right password, for now
    assert throttled.status_code == 429
    assert throttled.json()["type"] == "/problems/sign-in-throttled"
    assert 0 < int(throttled.headers["Retry-After"]) <= settings.login_lockout_minutes * 60
    # No single account was locked: from elsewhere each one signs in.
    assert _login(_from(app, "203.0.113.9"), users[0].email).status_code == 200
    travel.advance(minutes=settings.login_lockout_minutes, seconds=1)
    assert _login(sprayer, users[-1].email).status_code == 200


def test_a_lock_does_not_shut_out_a_browser_that_signed_in_before(
    settings: Settings, session_factory: sessionmaker[Session], factories: Factories
) -> None:
    app = _throttled_app(settings, session_factory)
    user = factories.user()
    clinic_address = "192.0.2.10"
    browser = _from(app, clinic_address)
    assert _login(browser, user.email).status_code == 200
    assert browser.cookies.get(DEVICE_COOKIE)

    for n in range(settings.login_max_failures):  # from many addresses, past their throttle
        _login(_from(app, f"198.51.100.{n}"), user.email, WRONG)
    locked = _login(_from(app, "203.0.113.40"), user.email)
    assert locked.status_code == 429 and locked.json()["type"] == "/problems/account-locked"
    # Someone on the clinic's own network throttles its address too...
    neighbour = _from(app, clinic_address)
    for n in range(ADDRESS_LIMIT):
        _login(neighbour, f"staff{n}@clinic.example", WRONG)
    assert _login(_from(app, clinic_address), user.email).status_code == 429
    # ...and the browser the user signed in with still gets in.
    assert _login(browser, user.email).status_code == 200


def test_a_known_address_gets_in_while_the_account_is_locked(
    client: TestClient, app: FastAPI, factories: Factories, settings: Settings
) -> None:
    user = factories.user()
    assert _login(client, user.email).status_code == 200
    attacker = _from(app, "198.51.100.66")
    for _ in range(settings.login_max_failures):
        assert _login(attacker, user.email, WRONG).status_code == 401
    assert _login(attacker, user.email).status_code == 429
    same_address_new_browser = TestClient(app, raise_server_exceptions=False)
    assert _login(same_address_new_browser, user.email).status_code == 200


def test_a_trusted_browser_is_locked_by_its_own_failures(
    client: TestClient, factories: Factories, settings: Settings
) -> None:
    user = factories.user()
    assert _login(client, user.email).status_code == 200
    for _ in range(settings.login_max_failures):
        assert _login(client, user.email, WRONG).status_code == 401
    locked = _login(client, user.email)
    assert locked.status_code == 429 and locked.json()["type"] == "/problems/account-locked"


def test_trust_ends_after_thirty_days_without_a_sign_in(
    app: FastAPI, factories: Factories, settings: Settings, travel: Clock
) -> None:
    user = factories.user()
    browser = _from(app, "192.0.2.11")
    assert _login(browser, user.email).status_code == 200
    travel.advance(days=settings.login_trusted_days, seconds=1)
    attacker = _from(app, "198.51.100.67")
    for _ in range(settings.login_max_failures):
        _login(attacker, user.email, WRONG)
    assert _login(browser, user.email).status_code == 429


def test_a_device_cookie_the_account_does_not_know_is_replaced(
    client: TestClient, app: FastAPI, factories: Factories
) -> None:
    user = factories.user()
    client.cookies.set(DEVICE_COOKIE, "planted-by-someone-else")
    response = _login(client, user.email)
    assert response.status_code == 200
    issued = response.cookies.get(DEVICE_COOKIE)
    assert issued and issued != "planted-by-someone-else"
    same_browser = TestClient(app, raise_server_exceptions=False)
    same_browser.cookies.set(DEVICE_COOKIE, issued)
    again = _login(same_browser, user.email)
    assert again.cookies.get(DEVICE_COOKIE) == issued  # a known one is kept


def test_a_password_is_kept_exactly_as_typed(
    admin: StaffClient, client: TestClient, factories: Factories
) -> None:
    password = "  amber quay passphrase 7  "
    created = admin.post(
        "/api/v1/users",
        json={
            "email": "spaces@clinic.example",
            "full_name": "Sam Spaces",
            "role": "viewer",
            "password": password,
        },
    )
    assert created.status_code == 201, created.text
    assert _login(client, "spaces@clinic.example", password.strip()).status_code == 401
    assert _login(client, "spaces@clinic.example", password).status_code == 200


def test_a_staff_route_ignores_a_proxys_basic_auth(admin: StaffClient) -> None:
    response = admin.get("/api/v1/users", headers={"Authorization": "Basic cHJveHk6c2VjcmV0"})
    assert response.status_code == 200, response.text
    forged = admin.get("/api/v1/users", headers={"Authorization": "Bearer not-a-key"})
    assert forged.status_code == 401


def test_the_last_active_admin_cannot_demote_or_deactivate_itself(
    admin: StaffClient, factories: Factories
) -> None:
    me = f"/api/v1/users/{admin.user.id}"
    for change in ({"role": "clinician"}, {"active": False}):
        refused = admin.patch(me, json=change)
        assert refused.status_code == 409, refused.text
        assert refused.json()["type"] == "/problems/last-admin"
        assert "another" in refused.json()["detail"]
    # An inactive admin does not count.
    factories.user("admin", active=False)
    assert admin.patch(me, json={"role": "viewer"}).status_code == 409
    factories.user("admin")
    assert admin.patch(me, json={"full_name": "Still Admin"}).status_code == 200
    assert admin.patch(me, json={"role": "clinician"}).status_code == 200
