"""Errors that reach a 500: answered like any response, logged once, without patient data."""

import http.client
import json
import logging
import uuid
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from homeward.main import create_app
from homeward.programs import service as programs_service
from homeward.settings import Settings
from tests.factories import TEST_PASSWORD, Factories, StaffClient
from tests.live_server import serving

PROBLEM = "application/problem+json"


def _records(capfd: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """Every line the process wrote, each parsed as JSON (a plain-text line fails here)."""
    out, err = capfd.readouterr()
    return [json.loads(line) for line in (out + err).splitlines() if line.strip()]


def _fail(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("an unexpected fault")


def test_a_500_has_the_headers_keeps_the_connection_and_is_logged_once(
    settings: Settings,
    session_factory: sessionmaker[Session],
    factories: Factories,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    user = factories.user("admin")
    monkeypatch.setattr(programs_service, "get_program", _fail)
    with serving(lambda: create_app(settings, session_factory=session_factory)) as url:
        address = urlsplit(url)
        connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
        login = json.dumps({"email": user.email, "password": TEST_PASSWORD})
        connection.request(
            "POST", "/api/v1/auth/login", login, {"Content-Type": "application/json"}
        )
        signed_in = connection.getresponse()
        signed_in.read()
        assert signed_in.status == 200
        cookie = (signed_in.getheader("set-cookie") or "").split(";")[0]
        capfd.readouterr()

        connection.request(
            "GET",
            f"/api/v1/programs/{uuid.uuid4()}",
            headers={"Cookie": cookie, "X-Request-ID": "failing-request-1"},
        )
        failed = connection.getresponse()
        problem = json.loads(failed.read())
        socket_used = connection.sock
        assert failed.status == 500 and failed.getheader("content-type") == PROBLEM
        assert problem["request_id"] == "failing-request-1"
        assert "an unexpected fault" not in json.dumps(problem)
        assert failed.getheader("x-request-id") == "failing-request-1"
        assert "default-src 'self'" in (failed.getheader("content-security-policy") or "")
        assert failed.getheader("x-content-type-options") == "nosniff"
        assert failed.getheader("x-frame-options") == "DENY"
        assert failed.getheader("referrer-policy") == "no-referrer"
        assert failed.getheader("cache-control") == "no-store"
        assert not failed.will_close

        connection.request("GET", "/healthz")
        after = connection.getresponse()
        after.read()
        assert after.status == 200 and connection.sock is socket_used
        connection.close()

    records = _records(capfd)
    errors = [record for record in records if record["level"] == "error"]
    assert len(errors) == 1, errors
    assert errors[0]["request_id"] == "failing-request-1"
    assert "RuntimeError: an unexpected fault" in errors[0]["exception"]
    assert not any("Exception in ASGI application" in record["message"] for record in records)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("abc-123", True),
        ("A.b_c-9", True),
        ("x" * 64, True),
        ("x" * 65, False),
        ("has space", False),
        ('quote"d', False),
        ("naïve", False),
        ("semi;colon", False),
        ("", False),
    ],
)
def test_a_client_request_id_is_kept_only_when_it_is_plain(
    client: TestClient, sent: str, kept: bool
) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": sent.encode()})
    returned = response.headers["X-Request-ID"]
    if kept:
        assert returned == sent
    else:
        assert returned != sent and len(returned) == 32 and int(returned, 16) >= 0


# What the failing write sends; none of it may reach the log, in any spelling.
_SENT = {
    "given_name": "Zebulonia",
    "family_name": "Quillfeather",
    "date_of_birth": "1971-07-23",
    "phone": "+1 555 019 8877",
    "email": "zq.marmaduke@example.org",
}
_SPELLINGS = (*_SENT.values(), "1971, 7, 23", "555 019 8877", "zq.marmaduke")

_SQLITE_REFUSAL = """
CREATE TRIGGER test_refuse_patient_update BEFORE UPDATE ON patients
BEGIN SELECT RAISE(ABORT, 'patient updates are refused'); END
"""
# Worded as PostgreSQL's own errors are: values quoted in the message, a key in DETAIL.
_POSTGRES_REFUSAL = (
    """
    CREATE FUNCTION test_refuse_patient_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'patient % % is refused', quote_literal(NEW.given_name),
        quote_literal(NEW.family_name)
        USING DETAIL = format('Key (date_of_birth, email)=(%s, %s) is refused',
                              NEW.date_of_birth, NEW.email);
    END $$
    """,
    """
    CREATE TRIGGER test_refuse_patient_update BEFORE UPDATE ON patients
    FOR EACH ROW EXECUTE FUNCTION test_refuse_patient_update()
    """,
)


def test_a_failed_write_leaves_no_patient_data_in_the_log(
    app: FastAPI,
    admin: StaffClient,
    db: Session,
    factories: Factories,
    capfd: pytest.CaptureFixture[str],
) -> None:
    patient = factories.patient()
    statements = (_SQLITE_REFUSAL,) if db.get_bind().dialect.name == "sqlite" else _POSTGRES_REFUSAL
    # On the driver's cursor: psycopg reads no placeholders in a statement sent alone.
    cursor = db.connection().connection.cursor()
    for statement in statements:
        cursor.execute(statement)
    capfd.readouterr()

    response = admin.patch(
        f"/api/v1/patients/{patient.id}", json=_SENT, headers={"X-Request-ID": "write-fails"}
    )

    assert response.status_code == 500 and response.headers["X-Request-ID"] == "write-fails"
    records = _records(capfd)
    written = json.dumps(records)
    leaked = [value for value in _SPELLINGS if value in written]
    assert not leaked, f"patient data in the log: {leaked}"
    assert not any(value in response.text for value in _SPELLINGS)
    [error] = [record for record in records if record["level"] == "error"]
    assert error["request_id"] == "write-fails"
    # What the log keeps is still enough to find the fault: the statement and its error.
    assert "UPDATE patients" in error["exception"]
    assert "refused" in error["exception"]
    print(f"log scrubbing: {len(records)} records, {len(written)} characters, none leaked")


def test_psycopg_errors_are_logged_without_their_values(
    settings: Settings, capfd: pytest.CaptureFixture[str]
) -> None:
    """The audited-read pool's connections raise psycopg's own errors, not SQLAlchemy's."""
    if settings.is_sqlite:
        pytest.skip("psycopg's errors are PostgreSQL's")
    create_app(settings)  # the process's logging
    url = make_url(settings.database_url).set(drivername="postgresql")
    logger = logging.getLogger("homeward.test")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute("CREATE TEMPORARY TABLE test_mrns (mrn text PRIMARY KEY)")
        conn.execute("INSERT INTO test_mrns VALUES (%s)", ["Zebulonia-MRN"])
        capfd.readouterr()
        for statement, value in (
            ("SELECT CAST(%s AS date)", "Quillfeather"),
            ("INSERT INTO test_mrns VALUES (%s)", "Zebulonia-MRN"),
        ):
            try:
                conn.execute(statement, [value])
            except psycopg.Error:
                logger.exception("a pooled read failed")
    records = _records(capfd)
    assert len(records) == 2
    assert "InvalidDatetimeFormat" in records[0]["exception"]
    assert "UniqueViolation" in records[1]["exception"]
    written = json.dumps(records)
    assert "Quillfeather" not in written and "Zebulonia" not in written
