"""Property-based API testing: every operation, generated inputs, signed in as admin.

The app must never answer 5xx, and every response must match the documented
schema, status code and content type.
"""

import os

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from homeward.deps import SESSION_COOKIE
from tests.factories import StaffClient

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
GENERATED_CASES = {"count": 0}


@pytest.fixture
def api_schema(app: FastAPI) -> schemathesis.schemas.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_contract(case: schemathesis.Case, admin: StaffClient) -> None:
    GENERATED_CASES["count"] += 1
    response = case.call(
        headers={"X-CSRF-Token": admin.csrf_token},
        cookies={SESSION_COOKIE: admin.cookies[SESSION_COOKIE]},
    )
    case.validate_response(response, checks=CHECKS)
