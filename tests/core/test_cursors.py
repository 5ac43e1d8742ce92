"""Cursors are opaque and signed: a made-up or altered one is 422, never 500."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.factories import Factories, StaffClient


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unsigned(values: Any) -> str:
    return _b64(json.dumps(values).encode())


FORGED = [
    _unsigned(["Family", "Given", "00000000-0000-0000-0000-000000000000"]),
    _unsigned([2**80]),
    _unsigned([True]),
    _unsigned([]),
    _unsigned({"a": 1}),
    _unsigned(["9999-12-31T23:59:59+14:00", "x"]),
    _b64(b"[" * 300),
    "not base64 at all!",
    "..",
]


@pytest.mark.parametrize("path", ["/api/v1/patients", "/api/v1/sessions", "/api/v1/audit-events"])
def test_a_cursor_the_server_did_not_make_is_refused(admin: StaffClient, path: str) -> None:
    assert admin.get(path, params={"cursor": ""}).status_code == 200  # the first page
    for cursor in FORGED:
        response = admin.get(path, params={"cursor": cursor})
        assert response.status_code == 422, (cursor, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        errors = response.json()["errors"]
        assert errors == [{"loc": ["query", "cursor"], "msg": "cursor is not valid"}]


def test_an_altered_cursor_is_refused(admin: StaffClient, factories: Factories) -> None:
    for _ in range(3):
        factories.program()
    page = admin.get("/api/v1/programs", params={"limit": 1}).json()
    payload, signature = page["next_cursor"].split(".")
    values = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    altered = _b64(json.dumps([*values[::-1], "x"]).encode())
    response = admin.get("/api/v1/programs", params={"cursor": f"{altered}.{signature}"})
    assert response.status_code == 422


def test_a_patient_list_cursor_carries_no_name(admin: StaffClient, factories: Factories) -> None:
    for n in range(3):
        factories.patient(family_name=f"Zzcursor{n}", given_name=f"Secretname{n}")
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"q": "Zzcursor", "limit": 1}
        if cursor:
            params["cursor"] = cursor
        page = admin.get("/api/v1/patients", params=params).json()
        seen += [item["family_name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        pages += 1
        payload = cursor.split(".")[0]
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
        assert "Zzcursor" not in decoded and "Secretname" not in decoded
    assert pages == 2
    assert seen == ["Zzcursor0", "Zzcursor1", "Zzcursor2"]


def test_session_pages_follow_each_other_with_signed_cursors(
    admin: StaffClient, factories: Factories
) -> None:
    program = factories.program()
    start = datetime(2026, 3, 2, 15, tzinfo=UTC)
    for n in range(3):
        factories.session(program, start + timedelta(days=n))
    ids: list[str] = []
    params: dict[str, Any] = {"program_id": str(program.id), "limit": 2}
    while True:
        page = admin.get("/api/v1/sessions", params=params).json()
        ids += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert len(ids) == len(set(ids)) == 3
