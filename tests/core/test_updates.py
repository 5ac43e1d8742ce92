"""An explicit null in a PATCH is 422 unless the field may be emptied, and then it empties it."""

import pytest
from pydantic import ValidationError
from sqlalchemy import inspect

from homeward.auth.models import User
from homeward.auth.schemas import UserUpdate
from homeward.enrollments.models import Enrollment
from homeward.enrollments.schemas import EnrollmentUpdate
from homeward.fields import Clearable
from homeward.homework.models import Homework
from homeward.homework.schemas import HomeworkUpdate
from homeward.patients.models import Patient, PatientContact
from homeward.patients.schemas import ContactUpdate, PatientUpdate
from homeward.programs.models import Phase, Program, Slot
from homeward.programs.schemas import PhaseUpdate, ProgramUpdate, SlotUpdate
from homeward.schemas import UpdateModel
from homeward.sessions.models import TreatmentSession
from homeward.sessions.schemas import SessionUpdate
from tests.factories import Factories, StaffClient

APPLIED_TO: dict[type[UpdateModel], type] = {
    ProgramUpdate: Program,
    SlotUpdate: Slot,
    PhaseUpdate: Phase,
    ContactUpdate: PatientContact,
    PatientUpdate: Patient,
    EnrollmentUpdate: Enrollment,
    UserUpdate: User,
    SessionUpdate: TreatmentSession,
    HomeworkUpdate: Homework,
}


def test_every_update_schema_is_an_update_model() -> None:
    assert set(UpdateModel.__subclasses__()) == set(APPLIED_TO)


@pytest.mark.parametrize("schema", list(APPLIED_TO), ids=lambda s: s.__name__)
def test_only_nullable_columns_can_be_cleared(schema: type[UpdateModel]) -> None:
    columns = inspect(APPLIED_TO[schema]).columns
    for name, field in schema.model_fields.items():
        clearable = any(isinstance(m, Clearable) for m in field.metadata)
        if clearable:
            assert columns[name].nullable, f"{schema.__name__}.{name} clears a NOT NULL column"
            assert schema.model_validate({name: None}).model_dump(exclude_unset=True) == {
                name: None
            }
        else:
            with pytest.raises(ValidationError) as refused:
                schema.model_validate({name: None})
            assert refused.value.errors()[0]["loc"] == (name,)


def test_a_null_name_is_refused_and_a_null_room_clears_it(
    admin: StaffClient, factories: Factories
) -> None:
    program = factories.program()
    slot = factories.slot(program, room="Room 4")
    refused = admin.patch(f"/api/v1/programs/{program.id}", json={"name": None})
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["loc"] == ["body", "name"]
    cleared = admin.patch(f"/api/v1/programs/{program.id}/slots/{slot.id}", json={"room": None})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["room"] is None
    kept = admin.patch(f"/api/v1/programs/{program.id}/slots/{slot.id}", json={"title": None})
    assert kept.status_code == 422
