"""The authorization matrix, field by field: what each role's responses may carry.

Generated from `homeward.visibility.WITHHELD` and the route matrix: every read whose
response can hold a ruled model is called by every role the matrix lets in, on data
where every ruled field has a value. A role reads a field the table withholds from it
as null; a role it is not withheld from reads the value.
"""

import re
import typing
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from sqlalchemy.orm import Session

from homeward import clock
from homeward.auth.models import Role
from homeward.enrollments.models import PhaseChange
from homeward.homework.models import Homework, HomeworkCategory, HomeworkStatus
from homeward.sessions.models import Attendance, AttendanceStatus
from homeward.visibility import WITHHELD, may_withhold, withheld
from tests.authz.expectations import ALLOW, ROLES
from tests.authz.test_matrix import matrix
from tests.factories import Factories, login_as

# Every field some role is refused, by the model that declares it.
RULED: dict[type[BaseModel], set[str]] = {}
for _models in WITHHELD.values():
    for _model, _names in _models.items():
        RULED.setdefault(_model, set()).update(_names)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """Every model a response of this type holds, at any depth."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for info in annotation.model_fields.values():
            yield from _models_in(info.annotation)
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _objects(annotation: Any, value: Any) -> Iterator[tuple[type[BaseModel], dict[str, Any]]]:
    """Each JSON object of `value` with the model it is an instance of, nested ones too."""
    if value is None:
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        assert isinstance(value, dict)
        yield annotation, value
        for name, info in annotation.model_fields.items():
            yield from _objects(info.annotation, value[info.serialization_alias or name])
        return
    origin = typing.get_origin(annotation)
    if origin is list:
        for item in value:
            yield from _objects(typing.get_args(annotation)[0], item)
    elif origin is not None:  # a union: the member models that fit
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                yield from _objects(arg, value)


@dataclass(frozen=True)
class FieldRead:
    method: str
    path: str
    response_model: Any


def ruled_routes(app: FastAPI) -> list[FieldRead]:
    """The routes whose responses can hold a field some role may not read."""
    return sorted(
        (
            FieldRead(method, route.path, route.response_model)
            for route in iter_route_contexts(app.routes)
            if may_withhold(getattr(route, "response_model", None))
            for method in route.methods
        ),
        key=lambda read: (read.path, read.method),
    )


def _world(db: Session, factories: Factories) -> dict[str, uuid.UUID]:
    """One of everything a ruled route reads, every ruled field written."""
    program = factories.program()
    first = factories.phase(program, [factories.slot(program)])
    second = factories.phase(program, [factories.slot(program)])
    enrollment = factories.enrollment(program, first)
    db.add(
        PhaseChange(
            enrollment_id=enrollment.id,
            from_phase_id=first.id,
            to_phase_id=second.id,
            effective_on=date(2026, 1, 19),
            reason="Relapse on Saturday; stepping back up",
        )
    )
    starts_at = clock.now().replace(microsecond=0) - timedelta(days=1)
    session = factories.session(
        program, starts_at, roster=[enrollment], group_note="Talked about cravings at home"
    )
    db.add(
        Attendance(
            session_id=session.id,
            enrollment_id=enrollment.id,
            status=AttendanceStatus.late,
            minutes_attended=150,
            note="Came late after a hard night",
            recorded_at=datetime.now(UTC),
        )
    )
    homework = Homework(
        enrollment_id=enrollment.id,
        title="Triggers journal",
        category=HomeworkCategory.trigger_journal,
        due_at=starts_at,
        status=HomeworkStatus.reviewed,
        response="I wanted to use when I drove past the bar",
        submitted_at=starts_at,
        feedback="Good catch; plan another route",
        reviewed_at=starts_at,
    )
    db.add(homework)
    db.flush()
    return {
        "program_id": program.id,
        "enrollment_id": enrollment.id,
        "patient_id": enrollment.patient_id,
        "session_id": session.id,
        "homework_id": homework.id,
    }


def test_the_table_names_real_nullable_fields() -> None:
    assert WITHHELD, "no field rules"
    for models in WITHHELD.values():
        for model, names in models.items():
            assert names <= model.model_fields.keys()


def test_every_ruled_model_is_read_somewhere(app: FastAPI) -> None:
    """A rule no route applies is a rule on the wrong model."""
    carried = {model for read in ruled_routes(app) for model in _models_in(read.response_model)}
    for model in RULED:
        assert any(issubclass(c, model) for c in carried), f"no route returns {model.__name__}"


def test_no_write_returns_a_withheld_field(app: FastAPI) -> None:
    """Writes are checked by their roles: none a role holding a field rule may call returns
    that field (each would need a call in `test_each_role_reads_only_its_fields`)."""
    table = matrix()
    exposed = []
    for read in ruled_routes(app):
        if read.method == "GET":
            continue
        for role in ROLES:
            if table[(read.method, read.path)][role] != ALLOW:
                continue
            for model in _models_in(read.response_model):
                if withheld(model, Role(role)):
                    exposed.append(f"{read.method} {read.path} as {role}: {model.__name__}")
    assert not exposed, exposed


def _concrete(path: str, ids: dict[str, uuid.UUID]) -> str:
    return re.sub(r"\{([^}]+)\}", lambda match: str(ids[match.group(1)]), path)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_only_its_fields(
    app: FastAPI, db: Session, factories: Factories, role: str
) -> None:
    ids = _world(db, factories)
    client = login_as(app, factories, role)
    table = matrix()
    readable = [
        read
        for read in ruled_routes(app)
        if read.method == "GET" and table[("GET", read.path)][role] == ALLOW
    ]
    checked = 0
    failures = []
    for read in readable:
        response = client.get(_concrete(read.path, ids))
        assert response.status_code == 200, (read.path, response.text)
        seen: dict[tuple[type[BaseModel], str], list[Any]] = {}
        for model, item in _objects(read.response_model, response.json()):
            keys = {info.serialization_alias or name for name, info in model.model_fields.items()}
            assert item.keys() == keys, (read.path, model.__name__)
            for ruled, names in RULED.items():
                if issubclass(model, ruled):
                    for name in names:
                        seen.setdefault((model, name), []).append(item[name])
        assert seen, f"{read.path}: nothing ruled in the response"
        for (model, name), values in seen.items():
            checked += 1
            where = f"GET {read.path} {model.__name__}.{name} as {role}"
            if name in withheld(model, Role(role)):
                if any(value is not None for value in values):
                    failures.append(f"{where}: withheld, but sent")
            elif all(value is None for value in values):
                failures.append(f"{where}: may be read, but was null")
    assert not failures, "\n".join(failures)
    assert checked >= len(readable)
