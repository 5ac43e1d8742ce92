"""Property-based API testing: every operation, generated inputs, signed in as admin.

The app must never answer 5xx, and every response must match the documented
schema, status code and content type.

Two things kept this from finding bad input that reached a 500. Every path id was a
fresh random UUID, so an operation on one program, session or enrollment stopped at
its 404 and never reached the code that reads dates, numbers and text; the path's ids
are now a small clinic's. And dates and times were drawn only from what their format
allows, in the middle of the calendar; they now include the extremes (years 1 and
9999, offsets of ±14:00, times without an offset). `test_extreme_values.py` walks the
same operations with an extreme in each field, one at a time.
"""

import os
from datetime import date, datetime

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from homeward.deps import SESSION_COOKIE
from tests.contract.extreme_values import DATE_EXTREMES, DATETIME_EXTREMES
from tests.factories import Factories, StaffClient

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
GENERATED_CASES = {"count": 0}

schemathesis.openapi.format(
    "date",
    st.sampled_from(DATE_EXTREMES) | st.dates(date(1, 1, 1)).map(date.isoformat),
)
schemathesis.openapi.format(
    "date-time",
    st.sampled_from(DATETIME_EXTREMES)
    | st.datetimes(datetime(1, 1, 1), timezones=st.timezones()).map(datetime.isoformat),
)
# A partner's document upload takes a PDF's bytes as the body: a small real one, or
# any bytes (which must be refused with a documented 4xx, never a 5xx).
schemathesis.openapi.media_type(
    "application/pdf",
    st.sampled_from([b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"])
    | st.binary(max_size=256),
)


@pytest.fixture
def clinic_ids(factories: Factories) -> dict[str, str]:
    """Path parameters by name: a program with a slot and a phase, an enrollment, a session."""
    program = factories.program()
    slot = factories.slot(program)
    phase = factories.phase(program, [slot])
    enrollment = factories.enrollment(program, phase)
    session = factories.session(program, datetime.now().astimezone(), roster=[enrollment])
    partner = factories.partner()
    return {
        "program_id": str(program.id),
        "slot_id": str(slot.id),
        "phase_id": str(phase.id),
        "enrollment_id": str(enrollment.id),
        "patient_id": str(enrollment.patient_id),
        "session_id": str(session.id),
        "partner_id": str(partner.id),
        "user_id": str(factories.user("clinician").id),
    }


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
def test_api_conforms_to_its_contract(
    case: schemathesis.Case, admin: StaffClient, clinic_ids: dict[str, str]
) -> None:
    GENERATED_CASES["count"] += 1
    for name in case.path_parameters or {}:
        if name in clinic_ids and case.path_parameters is not None:
            case.path_parameters[name] = clinic_ids[name]
    response = case.call(
        headers={"X-CSRF-Token": admin.csrf_token},
        cookies={SESSION_COOKIE: admin.cookies[SESSION_COOKIE]},
    )
    case.validate_response(response, checks=CHECKS)
