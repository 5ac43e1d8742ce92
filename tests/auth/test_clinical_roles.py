"""Facilitators and primary clinicians hold a clinical role: clinician, medical or admin."""

import pytest

from tests.factories import Factories, StaffClient

ROLES = [
    ("clinician", True),
    ("medical", True),
    ("admin", True),
    ("intake", False),
    ("viewer", False),
]


def _refused_for(response_json: dict[str, object], field: str) -> bool:
    errors = response_json.get("errors") or []
    return any(  # type: ignore[union-attr]
        error["loc"] == ["body", field] and "not clinical" in error["msg"]  # type: ignore[index]
        for error in errors
    )


@pytest.mark.parametrize(("role", "allowed"), ROLES)
def test_a_slot_or_session_facilitator_holds_a_clinical_role(
    admin: StaffClient, factories: Factories, role: str, allowed: bool
) -> None:
    program = factories.program()
    staff = factories.user(role)
    slot = admin.post(
        f"/api/v1/programs/{program.id}/slots",
        json={
            "weekday": 1,
            "start_time": "09:00",
            "end_time": "10:00",
            "session_type": "group_therapy",
            "title": "Process group",
            "facilitator_id": str(staff.id),
        },
    )
    session = admin.post(
        "/api/v1/sessions",
        json={
            "program_id": str(program.id),
            "session_type": "group_therapy",
            "title": "Process group",
            "starts_at": "2026-03-03T15:00:00Z",
            "ends_at": "2026-03-03T16:00:00Z",
            "facilitator_id": str(staff.id),
        },
    )
    for response in (slot, session):
        if allowed:
            assert response.status_code == 201, response.text
        else:
            assert response.status_code == 422, response.text
            assert _refused_for(response.json(), "facilitator_id"), response.text


@pytest.mark.parametrize(("role", "allowed"), ROLES)
def test_a_primary_clinician_holds_a_clinical_role(
    admin: StaffClient, factories: Factories, role: str, allowed: bool
) -> None:
    program, patient, staff = factories.program(), factories.patient(), factories.user(role)
    response = admin.post(
        "/api/v1/enrollments",
        json={
            "patient_id": str(patient.id),
            "program_id": str(program.id),
            "primary_clinician_id": str(staff.id),
        },
    )
    if allowed:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code == 422, response.text
        assert _refused_for(response.json(), "primary_clinician_id"), response.text
