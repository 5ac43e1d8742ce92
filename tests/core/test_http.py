"""Problem details, security headers, request ids, body limits, health checks."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from homeward.main import create_app
from homeward.programs.models import Program, Slot
from homeward.settings import Settings
from tests.factories import Factories, StaffClient

PROBLEM = "application/problem+json"
VALID_PROGRAM = {
    "name": "Evening IOP",
    "level_of_care": "2.1",
    "capacity": 12,
    "timezone": "America/Denver",
}


def _programs(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Program)) or 0


def test_security_headers_and_request_id(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "abc-123"
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in response.headers

    api = client.get("/api/v1/auth/me")
    assert api.headers["Cache-Control"] == "no-store"
    generated = api.headers["X-Request-ID"]
    assert len(generated) == 32 and api.json()["request_id"] == generated


def test_hsts_only_over_https(app: FastAPI) -> None:
    secure = TestClient(app, base_url="https://clinic.example")
    assert "max-age=" in secure.get("/healthz").headers["Strict-Transport-Security"]


def test_cors_is_off_unless_configured(app: FastAPI, settings: Settings) -> None:
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    closed = TestClient(app).options("/api/v1/auth/login", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    configured = settings.model_copy(update={"cors_origins": ["https://clinic.example"]})
    open_app = create_app(configured, session_factory=app.state.session_factory)
    allowed = TestClient(open_app).options(
        "/api/v1/auth/login",
        headers={"Origin": "https://clinic.example", "Access-Control-Request-Method": "POST"},
    )
    assert allowed.headers["access-control-allow-origin"] == "https://clinic.example"


def test_framework_errors_are_problems(client: TestClient) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    assert missing.json()["type"] == "/problems/not-found"
    wrong_method = client.delete("/healthz")
    assert wrong_method.status_code == 405 and wrong_method.headers["content-type"] == PROBLEM


def test_unhandled_error_is_a_problem_without_internals(app: FastAPI) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text


def test_bad_input_is_refused_and_changes_nothing(
    admin: StaffClient, db: Session, factories: Factories
) -> None:
    program = factories.program()
    facilitator = factories.user("clinician")
    factories.slot(program, weekday=1, facilitator_id=facilitator.id)
    programs_before = _programs(db)
    slots_before = db.scalar(select(func.count()).select_from(Slot))
    json_headers = {"Content-Type": "application/json"}
    cases = {
        "malformed JSON": admin.post(
            "/api/v1/programs", content=b'{"name": ', headers=json_headers
        ),
        "wrong content type": admin.post(
            "/api/v1/programs", content=b"name=x", headers={"Content-Type": "text/plain"}
        ),
        "oversize body": admin.post(
            "/api/v1/programs", content=b"[" + b"1," * 600_000 + b"1]", headers=json_headers
        ),
        "unknown field": admin.post("/api/v1/programs", json=VALID_PROGRAM | {"colour": "red"}),
        "unknown timezone": admin.post(
            "/api/v1/programs", json=VALID_PROGRAM | {"timezone": "Mars/Olympus"}
        ),
        "end before start": admin.post(
            f"/api/v1/programs/{program.id}/slots",
            json={
                "weekday": 0,
                "start_time": "12:00",
                "end_time": "09:00",
                "session_type": "education",
                "title": "Backwards",
            },
        ),
        "overlapping slot": admin.post(
            f"/api/v1/programs/{program.id}/slots",
            json={
                "weekday": 1,
                "start_time": "10:00",
                "end_time": "11:00",
                "session_type": "education",
                "title": "Clash",
                "facilitator_id": str(facilitator.id),
            },
        ),
    }
    expected = {
        "malformed JSON": 422,
        "wrong content type": 415,
        "oversize body": 413,
        "unknown field": 422,
        "unknown timezone": 422,
        "end before start": 422,
        "overlapping slot": 409,
    }
    for name, response in cases.items():
        assert response.status_code == expected[name], (name, response.text)
        assert response.headers["content-type"] == PROBLEM, name
        assert response.json()["status"] == expected[name], name
    assert _programs(db) == programs_before
    assert db.scalar(select(func.count()).select_from(Slot)) == slots_before
    tz_error = cases["unknown timezone"].json()["errors"][0]
    assert tz_error["loc"] == ["body", "timezone"]


def test_chunked_oversize_body_is_refused(admin: StaffClient) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b" " * 100_000

    response = admin.post(
        "/api/v1/programs", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "detail": None}
    assert client.get("/readyz").json()["status"] == "ok"


def test_readiness_fails_when_schema_is_behind(app: FastAPI) -> None:
    app.state.migration_head = "some-future-revision"
    response = TestClient(app).get("/readyz")
    assert response.status_code == 503
    assert "homeward migrate" in response.json()["detail"]


def test_production_refuses_the_default_secret() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production")
    assert Settings(environment="production", secret_key="x" * 40).secret_key == "x" * 40
