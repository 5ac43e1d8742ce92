"""Sign-in, CSRF, session expiry, lockout, sign-out, and user administration."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from homeward import clock
from homeward.auth.models import LoginSession, SignInRevocations
from homeward.deps import SESSION_COOKIE
from homeward.main import create_app
from homeward.settings import Settings
from tests.auth.conftest import Clock
from tests.factories import TEST_PASSWORD, Factories, StaffClient, login_as
from tests.statements import count_queries


def _login(client: TestClient, email: str, password: str = TEST_PASSWORD) -> object:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def test_login_sets_a_hardened_cookie(client: TestClient, factories: Factories) -> None:
    user = factories.user("intake")
    response = _login(client, user.email.upper())
    assert response.status_code == 200  # type: ignore[attr-defined]
    cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie
    body = response.json()  # type: ignore[attr-defined]
    assert body["user"]["role"] == "intake" and body["csrf_token"]
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["user"]["email"] == user.email


def test_cookie_is_secure_over_https(app: FastAPI, factories: Factories) -> None:
    user = factories.user("viewer")
    secure = TestClient(app, base_url="https://clinic.example")
    response = secure.post(
        "/api/v1/auth/login", json={"email": user.email, "password": TEST_PASSWORD}
    )
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_and_unknown_email_look_the_same(
    client: TestClient, factories: Factories
) -> None:
    user = factories.user()
    wrong = _login(client, user.email, "not-the-password-at-all")
    unknown = _login(client, "nobody@clinic.example", "not-the-password-at-all")
    assert wrong.status_code == unknown.status_code == 401  # type: ignore[attr-defined]
    assert wrong.json()["title"] == unknown.json()["title"]  # type: ignore[attr-defined]
    assert wrong.json().keys() == unknown.json().keys()  # type: ignore[attr-defined]


def test_missing_credentials_get_401_not_422(client: TestClient, admin: StaffClient) -> None:
    response = client.post("/api/v1/users", json={"unexpected": True})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    # Even when the body is not JSON at all, which the framework parses first.
    broken = {"content": b"{not json", "headers": {"Content-Type": "application/json"}}
    assert client.post("/api/v1/users", **broken).status_code == 401  # type: ignore[arg-type]
    client.cookies.set("homeward_session", "forged")
    assert client.post("/api/v1/users", **broken).status_code == 401  # type: ignore[arg-type]
    assert admin.post("/api/v1/users", **broken).status_code == 422  # type: ignore[arg-type]
    assert client.post("/api/v1/auth/login", **broken).status_code == 422  # type: ignore[arg-type]


def test_csrf_is_enforced_on_state_changes(admin: StaffClient) -> None:
    body = {"name": "Partner", "contact_email": "a@partner.example"}
    without = admin.post("/api/v1/partners", json=body, headers={"X-CSRF-Token": ""})
    assert without.status_code == 403
    forged = admin.post("/api/v1/partners", json=body, headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    assert admin.post("/api/v1/partners", json=body).status_code == 201
    # Reads need no token.
    assert admin.get("/api/v1/partners", headers={"X-CSRF-Token": ""}).status_code == 200


def test_idle_sessions_expire(app: FastAPI, factories: Factories, travel: Clock) -> None:
    staff = login_as(app, factories, "clinician")
    travel.advance(minutes=14)
    assert staff.get("/api/v1/auth/me").status_code == 200
    travel.advance(minutes=14)  # activity above kept it alive
    assert staff.get("/api/v1/auth/me").status_code == 200
    travel.advance(minutes=15, seconds=1)
    expired = staff.get("/api/v1/auth/me")
    assert expired.status_code == 401
    assert "ended" in expired.json()["detail"]


def test_sessions_end_after_twelve_hours_even_when_active(
    app: FastAPI, factories: Factories, travel: Clock
) -> None:
    staff = login_as(app, factories, "clinician")
    for _ in range(12 * 6):
        travel.advance(minutes=10)
        staff.get("/api/v1/auth/me")
    assert staff.get("/api/v1/auth/me").status_code == 401


def test_lockout_after_ten_failures(
    client: TestClient, factories: Factories, travel: Clock
) -> None:
    user = factories.user()
    for _ in range(10):
        assert _login(client, user.email, "wrong-password-xyz").status_code == 401  # type: ignore[attr-defined]
    locked = _login(client, user.email)
    assert locked.status_code == 429  # type: ignore[attr-defined]
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60  # type: ignore[attr-defined]
    # The same answer for an email that does not exist, so a lockout reveals nothing.
    for _ in range(10):
        _login(client, "ghost@clinic.example", "wrong-password-xyz")
    assert _login(client, "ghost@clinic.example").status_code == 429  # type: ignore[attr-defined]
    travel.advance(minutes=15, seconds=1)
    assert _login(client, user.email).status_code == 200  # type: ignore[attr-defined]


def test_failures_spread_over_time_do_not_lock(
    client: TestClient, factories: Factories, travel: Clock
) -> None:
    user = factories.user()
    for _ in range(12):
        _login(client, user.email, "wrong-password-xyz")
        travel.advance(minutes=2)
    assert _login(client, user.email).status_code == 200  # type: ignore[attr-defined]


def test_logout_revokes_the_session(app: FastAPI, factories: Factories) -> None:
    staff = login_as(app, factories, "medical")
    cookie = staff.cookies[SESSION_COOKIE]
    assert staff.post("/api/v1/auth/logout").status_code == 204
    replay = TestClient(app)
    replay.cookies.set(SESSION_COOKIE, cookie)
    assert replay.get("/api/v1/auth/me").status_code == 401


def test_admin_manages_users(admin: StaffClient, app: FastAPI, factories: Factories) -> None:
    created = admin.post(
        "/api/v1/users",
        json={
            "email": "New.Therapist@clinic.example",
            "full_name": "New Therapist",
            "role": "clinician",
            "password": "a-long-unique-passphrase",
        },
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["email"] == "new.therapist@clinic.example"
    duplicate = admin.post(
        "/api/v1/users",
        json={
            "email": "new.therapist@clinic.example",
            "full_name": "X",
            "role": "viewer",
            "password": "another-long-passphrase",
        },
    )
    assert duplicate.status_code == 409

    therapist = TestClient(app)
    therapist.post(
        "/api/v1/auth/login", json={"email": user["email"], "password": "a-long-unique-passphrase"}
    )
    assert therapist.get("/api/v1/auth/me").status_code == 200
    deactivated = admin.patch(f"/api/v1/users/{user['id']}", json={"active": False})
    assert deactivated.json()["active"] is False
    assert therapist.get("/api/v1/auth/me").status_code == 401
    listed = admin.get("/api/v1/users", params={"limit": 200}).json()["items"]
    assert user["id"] in [u["id"] for u in listed]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pass1", "at least 12"),
        ("Qwertyuiop12", "too weak"),
        ("Password123!", "password"),
        ("demo-password-2026", "password"),
        ("homeward-staff-2026", "product's name"),
        ("correct-horse-Pat-Parker", "your name"),
        ("winter-p.parker-kettle", "your email"),
    ],
)
def test_password_policy(admin: StaffClient, password: str, message: str) -> None:
    response = admin.post(
        "/api/v1/users",
        json={
            "email": "p.parker@clinic.example",
            "full_name": "Pat Parker",
            "role": "viewer",
            "password": password,
        },
    )
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert response.json()["errors"][0]["loc"] == ["body", "password"]


def test_passwords_are_argon2id(factories: Factories, admin: StaffClient, db: object) -> None:
    from sqlalchemy import select

    from homeward.auth.models import User

    admin.post(
        "/api/v1/users",
        json={
            "email": "h@clinic.example",
            "full_name": "H",
            "role": "viewer",
            "password": "hash-me-please-123",
        },
    )
    stored = db.scalar(select(User.password_hash).where(User.email == "h@clinic.example"))  # type: ignore[attr-defined]
    assert stored.startswith("$argon2id$")


@pytest.fixture
def checking_app(settings: Settings, session_factory: sessionmaker[Session]) -> FastAPI:
    """The app as production runs it: the revocation counter read each second."""
    own = settings.model_copy(update={"login_revocation_check_seconds": 1.0})
    assert own.login_revocation_check_seconds < own.login_trust_seconds
    return create_app(own, session_factory=session_factory)


def test_a_revocation_by_another_process_ends_the_session_within_a_second(
    checking_app: FastAPI, factories: Factories, db: Session, travel: Clock
) -> None:
    staff = login_as(checking_app, factories, "clinician")
    assert staff.get("/api/v1/auth/me").status_code == 200  # now verified, and trusted a while
    # Another server process signs it out: its own cache is emptied, this one's is not.
    db.execute(update(LoginSession).values(revoked_at=clock.now()))
    db.execute(update(SignInRevocations).values(counter=SignInRevocations.counter + 1))
    db.flush()
    assert staff.get("/api/v1/auth/me").status_code == 200  # the counter is read again soon
    travel.advance(seconds=1.1)
    assert staff.get("/api/v1/auth/me").status_code == 401


def test_a_login_verified_before_a_revocation_is_not_trusted_after_it(
    checking_app: FastAPI, factories: Factories, db: Session, travel: Clock
) -> None:
    staff = login_as(checking_app, factories, "clinician")
    assert staff.get("/api/v1/auth/me").status_code == 200
    # The counter moves; nothing about this login changed, so it is read again and kept.
    db.execute(update(SignInRevocations).values(counter=SignInRevocations.counter + 1))
    db.flush()
    travel.advance(seconds=1.1)
    with count_queries(db) as statements:
        assert staff.get("/api/v1/auth/me").status_code == 200
    assert any("sign_in_revocations" in statement for statement in statements)
    assert any("login_sessions" in statement for statement in statements)


def test_a_role_change_applies_to_the_next_request(
    admin: StaffClient, app: FastAPI, factories: Factories
) -> None:
    staff = login_as(app, factories, "admin")
    assert staff.get("/api/v1/users").status_code == 200
    user_id = staff.get("/api/v1/auth/me").json()["user"]["id"]
    changed = admin.patch(f"/api/v1/users/{user_id}", json={"role": "viewer"})
    assert changed.status_code == 200
    assert staff.get("/api/v1/users").status_code == 403
