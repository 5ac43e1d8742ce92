"""Every example in docs/partner-api.md, run: the curl walk-through (webhook endpoints and
deliveries included) against a live server whose worker delivers to a local receiver, the
Python signature check against those deliveries and against forged ones, the
authentication header against the keys we issue, the lifecycle against the statuses.
"""

import base64
import json
import os
import re
import secrets
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
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
from homeward.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.own_database import live_server, own_database
from tests.transfers.helpers import PDF
from tests.webhooks.receiver import Receiver

GUIDE = Path(__file__).parents[2] / "docs" / "partner-api.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(GUIDE.read_text()) if lang == language]


@dataclass
class GuideServer:
    base: str
    key: str
    settings: Settings
    receiver: Receiver


@pytest.fixture
def guide_server(settings: Settings, tmp_path: Path) -> Iterator[GuideServer]:
    """A live server with its webhook worker running, and a receiver for its deliveries."""
    with own_database(settings, tmp_path) as own, Receiver() as receiver:
        own = own.model_copy(update={"webhook_worker_in_process": True})
        app = create_app(own)
        factory: sessionmaker[Session] = app.state.session_factory
        with factory() as db:
            partner = Partner(name="Guide Partner", contact_email="p@partner.example")
            db.add(partner)
            db.flush()
            key = partners_service.create_api_key(db, Actor.system(), partner.id, ApiKeyCreate())
            db.commit()
        with live_server(app) as base:
            yield GuideServer(f"{base}/api/v1/partner", key.key, own, receiver)


def _handler(secret: str) -> Callable[[bytes, dict[str, str]], int]:
    """The guide's Python receiver, with `secret` where it says to put yours."""
    (example,) = blocks("python")
    assert 'WEBHOOK_SECRET = "whsec_…"' in example
    namespace: dict[str, object] = {}
    exec(example.replace('"whsec_…"', repr(secret)), namespace)
    handle = namespace["handle_delivery"]
    assert callable(handle)
    return handle  # type: ignore[return-value]


def test_the_authentication_header_names_the_keys_we_issue(guide_server: GuideServer) -> None:
    (header,) = [b for b in blocks("") if b.startswith("Authorization:")]
    assert header.strip() == "Authorization: Bearer hwk_…"
    assert guide_server.key.startswith("hwk_")


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_the_curl_walkthrough_runs(guide_server: GuideServer, tmp_path: Path) -> None:
    setup, *steps = blocks("sh")
    assert {"HOMEWARD=", "API_KEY=", "WEBHOOK_URL="} <= {
        word.split("=")[0] + "=" for word in setup.split() if "=" in word
    }
    work = tmp_path / "work"
    work.mkdir()
    (work / "summary.pdf").write_bytes(PDF)
    env = {
        **os.environ,
        "HOMEWARD": guide_server.base,
        "API_KEY": guide_server.key,
        "WEBHOOK_URL": guide_server.receiver.url,
    }
    *walk, remove_endpoint = steps
    assert "DELETE" in remove_endpoint and "webhook-endpoints" in remove_endpoint
    # The steps share their shell variables: the last runs once the endpoint has had
    # what the walk-through sent it (transfer.received, and its redelivery).
    script = "set -euo pipefail\n" + "\n".join(walk)
    script += "\nwhile [ ! -e delivered ]; do sleep 0.2; done\n" + remove_endpoint
    process = subprocess.Popen(
        ["bash", "-c", script], cwd=work, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert guide_server.receiver.wait_for(2, timeout=30), guide_server.receiver.received
    (work / "delivered").touch()
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stdout + stderr
    match = re.search(r"transfer (\S+) received", stdout)
    assert match, stdout
    engine_factory = create_app(guide_server.settings).state.session_factory
    with engine_factory() as db:
        transfer = db.scalars(select(Transfer).where(Transfer.id == uuid.UUID(match[1]))).one()
        # Sent twice with one key, made once; then cancelled by the last step.
        assert db.scalars(select(Transfer)).all() == [transfer]
        assert transfer.status is TransferStatus.cancelled
        assert [d.kind for d in transfer.documents] == ["discharge_summary"]
        assert [m.body for m in transfer.messages] == ["The medication list is attached."]
        endpoint = db.scalars(select(WebhookEndpoint)).one()
        assert endpoint.deleted_at is not None  # the last example removed it
        deliveries = db.scalars(select(WebhookDelivery)).all()
    _received_deliveries_verify(guide_server.receiver, work, deliveries)


def _received_deliveries_verify(
    receiver: Receiver, work: Path, deliveries: Sequence[WebhookDelivery]
) -> None:
    """What the worker sent to the guide's endpoint passes the guide's own check."""
    # transfer.received, and its redelivery asked for in the walk-through.
    assert receiver.wait_for(2, timeout=20), receiver.received
    secret = json.loads((work / "endpoint.json").read_text())["secret"]
    handle = _handler(secret)
    received = receiver.received
    first = next(r for r in received if b'"transfer.received"' in r.body)
    assert handle(first.body, first.headers) == 204
    # The redelivery keeps the webhook-id: the guide's receiver takes it as a retry.
    again = [r for r in received if r.headers["webhook-id"] == first.headers["webhook-id"]]
    assert len(again) >= 2
    assert handle(again[-1].body, again[-1].headers) == 200
    # Two deliveries of one event (the first, and the one the walk-through asked for).
    event_ids = [d.event_id for d in deliveries]
    assert len(event_ids) > len(set(event_ids))


def test_the_signature_check_accepts_signed_and_refuses_altered_deliveries() -> None:
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    handle = _handler(secret)
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
