"""Every example in docs/partner-api.md, run: the curl walk-through against a live server,
the Python signature check against signed deliveries, the lifecycle against the statuses.
"""

import base64
import os
import re
import secrets
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from homeward.audit.service import Actor
from homeward.main import create_app
from homeward.partners import service as partners_service
from homeward.partners.models import Partner
from homeward.partners.schemas import ApiKeyCreate
from homeward.settings import Settings
from homeward.transfers.models import Transfer, TransferStatus
from tests.own_database import live_server, own_database
from tests.transfers.helpers import PDF

GUIDE = Path(__file__).parents[2] / "docs" / "partner-api.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(GUIDE.read_text()) if lang == language]


@pytest.fixture
def partner_api(settings: Settings, tmp_path: Path) -> Iterator[tuple[str, str, Settings]]:
    with own_database(settings, tmp_path) as own:
        app = create_app(own)
        factory: sessionmaker[Session] = app.state.session_factory
        with factory() as db:
            partner = Partner(name="Guide Partner", contact_email="p@partner.example")
            db.add(partner)
            db.flush()
            key = partners_service.create_api_key(db, Actor.system(), partner.id, ApiKeyCreate())
            db.commit()
        with live_server(app) as base:
            yield f"{base}/api/v1/partner", key.key, own


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_the_curl_walkthrough_runs(partner_api: tuple[str, str, Settings], tmp_path: Path) -> None:
    base, key, own = partner_api
    setup, *steps = blocks("sh")
    assert "HOMEWARD=" in setup and "API_KEY=" in setup
    work = tmp_path / "work"
    work.mkdir()
    (work / "summary.pdf").write_bytes(PDF)
    script = "set -euo pipefail\n" + "\n".join(steps)
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=work,
        env={**os.environ, "HOMEWARD": base, "API_KEY": key},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    match = re.search(r"transfer (\S+) received", result.stdout)
    assert match, result.stdout
    engine_factory = create_app(own).state.session_factory
    with engine_factory() as db:
        transfer = db.scalars(select(Transfer).where(Transfer.id == uuid.UUID(match[1]))).one()
        # Sent twice with one key, made once; then cancelled by the last step.
        assert db.scalars(select(Transfer)).all() == [transfer]
        assert transfer.status is TransferStatus.cancelled
        assert [d.kind for d in transfer.documents] == ["discharge_summary"]
        assert [m.body for m in transfer.messages] == ["The medication list is attached."]


def test_the_signature_check_accepts_signed_and_refuses_altered_deliveries() -> None:
    (example,) = blocks("python")
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    namespace: dict[str, object] = {}
    exec(example.replace('"whsec_…"', repr(secret)), namespace)
    handle = namespace["handle_delivery"]
    assert callable(handle)
    body = b'{"type":"transfer.accepted","timestamp":"2026-01-20T10:00:00+00:00","data":{}}'
    now = datetime.now(UTC)
    msg_id = f"msg_{uuid.uuid4().hex}"
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, now, body.decode()),
    }
    assert handle(body, headers) == 204
    assert handle(body, headers) == 200  # the same webhook-id again: a retry
    assert handle(body.replace(b"accepted", b"declined"), headers) == 400
    other_secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    forged = {
        **headers,
        "webhook-signature": Webhook(other_secret).sign(msg_id, now, body.decode()),
    }
    assert handle(body, forged) == 400


def test_the_lifecycle_diagram_names_every_status_and_only_those() -> None:
    (diagram,) = blocks("mermaid")
    states = set(re.findall(r"(\w+) --> (\w+)", diagram))
    named = {state for pair in states for state in pair} - {"[*]"}
    named.discard("")
    assert named == {status.value for status in TransferStatus}
