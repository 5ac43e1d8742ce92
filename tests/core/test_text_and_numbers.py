"""Control characters, booleans for numbers and system timezones get 422, on both databases."""

import json
from typing import Any

import pytest

from tests.factories import Factories, StaffClient

PROGRAM: dict[str, Any] = {
    "name": "Evening IOP",
    "level_of_care": "2.1",
    "capacity": 12,
    "timezone": "America/Chicago",
}


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\n", "\t", "\ud800"])
def test_a_name_with_a_control_character_is_refused(admin: StaffClient, character: str) -> None:
    # Encoded as ASCII JSON, so a lone surrogate travels as the escape `\ud800`.
    body = json.dumps({**PROGRAM, "name": f"Evening{character}IOP"})
    response = admin.post(
        "/api/v1/programs", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["loc"] == ["body", "name"]


def test_long_text_keeps_its_line_breaks_and_tabs(admin: StaffClient) -> None:
    description = "Mornings:\n\tgroup\r\n\tindividual"
    response = admin.post("/api/v1/programs", json={**PROGRAM, "description": description})
    assert response.status_code == 201, response.text
    assert response.json()["description"] == description
    refused = admin.post("/api/v1/programs", json={**PROGRAM, "description": "a\x00b"})
    assert refused.status_code == 422


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/patients", {"q": "Ann\x00"}),
        ("/api/v1/audit-events", {"resource_type": "patient\x07"}),
        ("/api/v1/programs", {"cursor": "abc\x00"}),
    ],
)
def test_a_query_text_with_a_control_character_is_refused(
    admin: StaffClient, path: str, query: dict[str, str]
) -> None:
    response = admin.get(path, params=query)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"][0] == "query"


@pytest.mark.parametrize("value", [True, 12.0, "12"])
def test_an_integer_is_an_integer(admin: StaffClient, value: object) -> None:
    response = admin.post("/api/v1/programs", json={**PROGRAM, "capacity": value})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "capacity"]


@pytest.mark.parametrize(
    "timezone", ["localtime", "Factory", "posixrules", "US/Eastern", "posix/Europe/Paris", ""]
)
def test_a_timezone_is_a_canonical_iana_name(admin: StaffClient, timezone: str) -> None:
    response = admin.post("/api/v1/programs", json={**PROGRAM, "timezone": timezone})
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("timezone", ["UTC", "Europe/London", "America/Argentina/Buenos_Aires"])
def test_canonical_timezones_are_taken(admin: StaffClient, timezone: str) -> None:
    response = admin.post("/api/v1/programs", json={**PROGRAM, "timezone": timezone})
    assert response.status_code == 201, response.text


def test_a_stored_text_reads_back_on_either_database(
    admin: StaffClient, factories: Factories
) -> None:
    # What passes the type is stored as given: no database refuses it (PostgreSQL refuses NUL).
    patient = factories.patient()
    name = "Zoë O'Brien-Łukasz 李"
    response = admin.patch(f"/api/v1/patients/{patient.id}", json={"given_name": name})
    assert response.status_code == 200, response.text
    assert admin.get(f"/api/v1/patients/{patient.id}").json()["given_name"] == name
