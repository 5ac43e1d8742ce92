"""Every operation of the live OpenAPI document, with extreme values in each field.

For each operation, hypothesis picks a path, query, header or body field and an extreme for
its type (control characters, year 1 and 9999, offsets of ±14:00, naive times,
`true` and 2**63 for integers, forged cursors, null). The rest of the request is
plausible and the path's ids are a real clinic's, so the request reaches the handler.
Every answer must be 2xx, or 4xx as problem+json: never 5xx.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contract.extreme_values import (
    Json,
    base_body,
    body_locations,
    extremes,
    resolve,
    typical,
    with_value,
)
from tests.factories import Factories, StaffClient, partner_client

EXAMPLES_PER_OPERATION = 12
# Signing out would end the walk's own session.
SKIPPED = {("post", "/api/v1/auth/logout")}
SENT = {"count": 0}


@dataclass
class Walk:
    staff: StaffClient
    partner: TestClient
    ids: dict[str, str]
    components: Json
    failures: list[str] = field(default_factory=list)


def _clinic(app: FastAPI, factories: Factories, admin: StaffClient) -> dict[str, str]:
    """A small clinic with one of everything a path can name, ids by path parameter."""
    program = factories.program()
    slot = factories.slot(program)
    phase = factories.phase(program, [slot])
    enrollment = factories.enrollment(program, phase, admitted_on=datetime.now(UTC).date())
    ended = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    session = factories.session(program, ended, roster=[enrollment])
    patient_id = str(enrollment.patient_id)
    contact = admin.post(
        f"/api/v1/patients/{patient_id}/contacts",
        json={"name": "Sam", "relationship_to_patient": "sibling"},
    )
    consent = admin.post(
        f"/api/v1/patients/{patient_id}/consents",
        json={
            "recipient_name": "Dr. Lee",
            "purpose": "care coordination",
            "scopes": ["attendance"],
            "signed_on": datetime.now(UTC).date().isoformat(),
            "expires_on": (datetime.now(UTC).date() + timedelta(days=90)).isoformat(),
        },
    )
    homework = admin.post(
        f"/api/v1/enrollments/{enrollment.id}/homework",
        json={"title": "Journal", "category": "trigger_journal"},
    )
    partner = factories.partner()
    key = admin.post(f"/api/v1/partners/{partner.id}/api-keys", json={"name": "walk"})
    other = factories.user("clinician")
    ids = {
        "program_id": str(program.id),
        "slot_id": str(slot.id),
        "phase_id": str(phase.id),
        "enrollment_id": str(enrollment.id),
        "session_id": str(session.id),
        "patient_id": patient_id,
        "partner_id": str(partner.id),
        "user_id": str(other.id),
        "facilitator_id": str(other.id),
        "primary_clinician_id": str(other.id),
    }
    for name, response in [("contact_id", contact), ("consent_id", consent)]:
        if response.status_code == 201:
            ids[name] = response.json()["id"]
    if homework.status_code == 201:
        ids["homework_id"] = homework.json()["id"]
    if key.status_code == 201:
        ids["key_id"] = key.json()["id"]
        ids["api_key"] = key.json()["key"]
    return ids


def _operations(app: FastAPI) -> list[tuple[str, str, Json]]:
    document = app.openapi()
    return [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if (method, path) not in SKIPPED
    ]


def _locations(operation: Json, components: Json) -> list[tuple[str, Any, Json]]:
    found: list[tuple[str, Any, Json]] = [
        (p["in"], p["name"], resolve(p["schema"], components))
        for p in operation.get("parameters", [])
        if p["in"] in ("path", "query", "header")
    ]
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        found += [("body", where, s) for where, s in body_locations(body["schema"], components)]
    return found


def _send(
    walk: Walk, method: str, path: str, operation: Json, place: str, name: Any, value: Any
) -> None:
    path_values = {
        p["name"]: walk.ids.get(p["name"], str(uuid.uuid4()))
        for p in operation.get("parameters", [])
        if p["in"] == "path"
    }
    query: dict[str, Any] = {}
    if place == "path":
        path_values[name] = value
    elif place == "query":
        query[name] = value
    url = path
    for key, given_value in path_values.items():
        url = url.replace("{" + key + "}", _quoted(given_value))
    if query:
        url += "?" + "&".join(f"{k}={_quoted(v)}" for k, v in query.items() if v is not None)
    headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
    if place == "header":
        text = value if isinstance(value, str) else json.dumps(value)
        if not _sendable_header(text):
            return
        headers = {k: v for k, v in headers.items() if k.lower() != str(name).lower()}
        headers[str(name)] = text
    content = None
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        payload = base_body(body["schema"], walk.ids, walk.components)
        if place == "body":
            payload = with_value(payload, name, value, body["schema"], walk.components)
        content = json.dumps(payload)
    client = walk.partner if path.startswith("/api/v1/partner/") else walk.staff
    response = client.request(method.upper(), url, content=content, headers=headers)
    SENT["count"] += 1
    _check(walk, f"{method.upper()} {url[:200]} {place}:{name}={_short(value)}", response)


def _sendable_header(text: str) -> bool:
    """Whether HTTP can carry `text` as a header's value at all: a server never sees one
    with a line break or NUL, or with characters outside Latin-1."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return not any(c in text for c in "\r\n\x00")


def _quoted(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return quote(text, safe="", errors="surrogatepass")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def _check(walk: Walk, what: str, response: Any) -> None:
    status = response.status_code
    problem = response.headers.get("content-type", "").startswith("application/problem+json")
    if status >= 500 or (status >= 400 and not problem):
        walk.failures.append(f"{status} {what}: {response.text[:300]}")


@pytest.fixture
def walk(app: FastAPI, factories: Factories, admin: StaffClient) -> Walk:
    ids = _clinic(app, factories, admin)
    partner = partner_client(app, ids.get("api_key") or factories.api_key(factories.partner()))
    components = app.openapi()["components"]["schemas"]
    return Walk(admin, partner, ids, components)


def _walk_operation(walk: Walk, method: str, path: str, operation: Json) -> None:
    locations = _locations(operation, walk.components)
    if not locations:
        _send(walk, method, path, operation, "none", "", None)
        return

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one_request(data: st.DataObject) -> None:
        place, name, schema = data.draw(st.sampled_from(locations))
        value = data.draw(extremes(schema, str(name if place != "body" else name[-1])))
        if place != "body" and isinstance(value, str) and len(value) > 4000:
            value = value[:4000]  # a URL that long is the client's problem, not ours
        _send(walk, method, path, operation, place, name, value)

    one_request()


def test_no_extreme_value_reaches_a_server_error(app: FastAPI, walk: Walk) -> None:
    operations = _operations(app)
    assert len(operations) > 80
    for method, path, operation in operations:
        _walk_operation(walk, method, path, operation)
    print(f"extreme values: {SENT['count']} requests over {len(operations)} operations")
    assert walk.failures == [], "\n".join(walk.failures)


def test_the_base_requests_reach_the_handlers(app: FastAPI, walk: Walk) -> None:
    """The walk is worth something only if its plausible requests are accepted."""
    accepted = 0
    posts = 0
    for method, path, operation in _operations(app):
        if method != "post" or "requestBody" not in operation or "{" in path:
            continue
        posts += 1
        body = operation["requestBody"]["content"].get("application/json")
        if body is None:
            continue
        payload = base_body(body["schema"], walk.ids, walk.components)
        client = walk.partner if path.startswith("/api/v1/partner/") else walk.staff
        response = client.post(path, json=payload, headers={"Idempotency-Key": str(uuid.uuid4())})
        accepted += response.status_code < 300
    assert posts >= 8
    assert accepted >= posts // 2, f"{accepted} of {posts} plausible creations were accepted"


def test_typical_values_follow_the_schema() -> None:
    components: Json = {
        "Thing": {
            "type": "object",
            "required": ["n"],
            "properties": {"n": {"type": "integer", "minimum": 30, "maximum": 90}},
        }
    }
    assert base_body({"$ref": "#/components/schemas/Thing"}, {}, components) == {"n": 30}
    assert (
        typical({"type": "string", "format": "uuid"}, "program_id", {"program_id": "p"}, {}) == "p"
    )
    schema = {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}
    assert with_value([{"n": 30}], (0, "n"), None, schema, components) == [{"n": None}]
