"""Two partners: B sees nothing of A's, on every partner route the OpenAPI document lists.

The operations come from the app's own schema (through schemathesis), so a partner
route added later is walked too, or fails here until it says which of A's ids it takes.
Each operation that names one of A's objects by id answers B 404, documented, and
changes nothing of A's; each list answers B without any of A's ids.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport import SerializationContext, register_serializer

from tests.factories import Factories
from tests.transfers.helpers import PDF, PartnerClient, new_partner

PARTNER_PREFIX = "/api/v1/partner/"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
# A valid body for each request body the partner API takes, by its schema's name (or
# media type), so that B's request gets past validation to the ownership check.
BODIES: dict[str, Any] = {
    "MessageCreate": {"body": "Is there an update?"},
    "application/pdf": PDF,
}


def _raw_bytes(_context: SerializationContext, value: Any) -> dict[str, Any]:
    return {"data": value}


# The document upload's body goes as the PDF's bytes. Only the serializer: the strategy
# that generates PDF bodies for fuzzing is the contract test's to register.
register_serializer(_raw_bytes, "application/pdf")

# Required query parameters, by name.
QUERIES: dict[str, str] = {"kind": "discharge_summary"}
# Operations on the caller's own collection: what they create is the caller's own, so
# there is no id of A's to try. Each must still be listed here, deliberately.
CREATES = {
    ("POST", "/api/v1/partner/transfers"),
    ("POST", "/api/v1/partner/webhook-endpoints"),
}
# Reads about no partner's data.
SHARED = {("GET", "/api/v1/partner/programs"), ("GET", "/api/v1/partner/me")}


@dataclass
class PartnerA:
    client: PartnerClient
    ids: dict[str, str]

    def state(self) -> dict[str, Any]:
        """What B must not be able to change, as A sees it."""
        transfer = f"{PARTNER_PREFIX}transfers/{self.ids['transfer_id']}"
        return {
            "transfer": self.client.get(transfer).json()["status"],
            "messages": self.client.get(f"{transfer}/messages").json(),
            "endpoints": self.client.get(f"{PARTNER_PREFIX}webhook-endpoints").json(),
            "deliveries": len(
                self.client.get(f"{PARTNER_PREFIX}webhook-deliveries").json()["items"]
            ),
        }


@pytest.fixture
def partner_a(app: FastAPI, factories: Factories) -> PartnerA:
    """A transfer with a document and a message, an endpoint, and a delivery to it."""
    a = new_partner(app, factories)
    endpoint = a.act(
        f"{PARTNER_PREFIX}webhook-endpoints", json={"url": "http://127.0.0.1:9/hooks"}
    ).json()
    transfer = a.submit().json()
    base = f"{PARTNER_PREFIX}transfers/{transfer['id']}"
    document = a.act(
        f"{base}/documents",
        params={"kind": "medication_list"},
        content=PDF,
        headers={"Content-Type": "application/pdf"},
    )
    assert document.status_code == 201, document.text
    assert a.act(f"{base}/messages", json={"body": "Summary attached."}).status_code == 201
    [delivery, *_] = a.get(f"{PARTNER_PREFIX}webhook-deliveries").json()["items"]
    ids = {"transfer_id": transfer["id"], "endpoint_id": endpoint["id"]}
    return PartnerA(a, {**ids, "delivery_id": delivery["id"]})


@pytest.fixture
def partner_b(app: FastAPI, factories: Factories) -> PartnerClient:
    b = new_partner(app, factories)
    b.submit()  # B has data of its own: its lists are not empty by default
    return b


@pytest.fixture
def operations(app: FastAPI) -> Iterator[list[Any]]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    yield [op for op in found if op.path.startswith(PARTNER_PREFIX)]


def _body(operation: Any) -> dict[str, Any]:
    """The case's body and media type: a valid one for each body the operation takes."""
    alternatives = list(operation.body)
    if not alternatives:
        return {}
    media_type = alternatives[0].media_type
    # A model's schema is resolved in place, and keeps the model's name as its title.
    name = alternatives[0].definition.get("schema", {}).get("title") or media_type
    assert name in BODIES, f"{operation.label}: add a valid {name} body to BODIES"
    return {"body": BODIES[name], "media_type": media_type}


def _query(operation: Any) -> dict[str, str]:
    required = [p.name for p in operation.query if p.is_required]
    missing = [name for name in required if name not in QUERIES]
    assert not missing, f"{operation.label}: add a value for {missing} to QUERIES"
    return {name: QUERIES[name] for name in required}


def _ids_in(value: Any) -> set[str]:
    """Every string anywhere in a JSON value: ids included, whatever their field's name."""
    if isinstance(value, dict):
        return set().union(*(_ids_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_ids_in(v) for v in value)) if value else set()
    return {value} if isinstance(value, str) else set()


def test_partner_b_gets_404_for_every_id_of_partner_as(
    operations: list[Any], partner_a: PartnerA, partner_b: PartnerClient
) -> None:
    before = partner_a.state()
    walked: set[tuple[str, str]] = set()
    for operation in operations:
        key = (operation.method.upper(), operation.path)
        names = [p.name for p in operation.path_parameters]
        if not names:
            continue
        unknown = [name for name in names if name not in partner_a.ids]
        assert not unknown, f"{operation.label}: give partner A an object for {unknown}"
        case = operation.Case(
            path_parameters={name: partner_a.ids[name] for name in names},
            headers={
                "Authorization": partner_b.headers["Authorization"],
                "Idempotency-Key": str(uuid.uuid4()),
            },
            query=_query(operation) or None,
            **_body(operation),
        )
        response = case.call()
        assert response.status_code == 404, f"{operation.label}: {response.text}"
        assert response.headers["content-type"][0].startswith("application/problem+json")
        case.validate_response(response, checks=CHECKS)
        walked.add(key)
    assert walked, "no partner operation takes an id"
    # Nothing of A's changed: not cancelled, no message added, no endpoint deleted, no
    # delivery queued again.
    assert partner_a.state() == before


def test_partner_bs_lists_hold_none_of_partner_as_ids(
    operations: list[Any], partner_a: PartnerA, partner_b: PartnerClient
) -> None:
    theirs = set(partner_a.ids.values())
    for operation in operations:
        key = (operation.method.upper(), operation.path)
        if operation.path_parameters or key in SHARED:
            continue
        if key[0] != "GET":
            assert key in CREATES, f"{operation.label}: say how B is kept from A's data"
            continue
        query = {"endpoint_id": partner_a.ids["endpoint_id"]} if "deliveries" in key[1] else {}
        case = operation.Case(
            headers={"Authorization": partner_b.headers["Authorization"]}, query=query or None
        )
        response = case.call()
        assert response.status_code == 200, f"{operation.label}: {response.text}"
        case.validate_response(response, checks=CHECKS)
        assert not theirs & _ids_in(response.json()), operation.label
        # And without the filter, B's own data is there and A's is not.
        if query:
            listed = partner_b.get(key[1]).json()
            assert not theirs & _ids_in(listed), operation.label
