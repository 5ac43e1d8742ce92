"""Lists written straight from their rows must read exactly as their models would."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import BaseModel, Field, TypeAdapter
from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.enrollments import router as enrollment_router
from homeward.enrollments import service as enrollments
from homeward.enrollments.loading import SUMMARIZED, item_from_values
from homeward.enrollments.models import EnrollmentStatus
from homeward.enrollments.schemas import EnrollmentRead
from homeward.http.json_pages import PageWriter
from homeward.pagination import Page, PageParams
from homeward.sessions import router as session_router
from homeward.sessions import service as sessions
from homeward.sessions.attendance import record_attendance_rows
from homeward.sessions.models import AttendanceStatus
from homeward.sessions.schemas import AttendanceRead, AttendanceWrite, SessionSummary
from tests.factories import UTC_NOON, Factories


def _listed(row: dict[str, object]) -> dict[str, object]:
    # A page's dicts keep the statement's column order, `SUMMARIZED`.
    return item_from_values(list(row.values()))


def _as_models(model: type[BaseModel], rows: list[dict[str, object]], cursor: str | None) -> object:
    items = TypeAdapter(list[model]).validate_python(rows)  # type: ignore[valid-type]
    return json.loads(Page[model](items=items, next_cursor=cursor).model_dump_json())  # type: ignore[valid-type]


def test_an_enrollment_page_reads_as_its_models(db: Session, factories: Factories) -> None:
    program = factories.program()
    factories.phase(program, [factories.slot(program)])
    factories.enrollment(program, discharge_reason=None)
    # No phase yet, and every date set: each kind of value, and a nested None.
    factories.enrollment(
        program,
        status=EnrollmentStatus.completed,
        current_phase_id=None,
        completed_on=date(2026, 3, 1),
        primary_clinician_id=factories.user().id,
    )
    params = PageParams(limit=1, cursor=None)
    first, cursor = enrollments._LIST.page(db, params)
    rest, _ = enrollments._LIST.page(db, PageParams(limit=50, cursor=cursor))
    for rows, next_cursor in ((first, cursor), (rest, None)):
        items = [_listed(row) for row in rows]
        written = json.loads(enrollment_router._PAGES.page(items, next_cursor))
        assert written == _as_models(EnrollmentRead, items, next_cursor)
    assert {item["current_phase"] is None for item in [_listed(r) for r in first + rest]} == {
        True,
        False,
    }
    # One enrollment, as `GET /enrollments/{id}` writes it.
    for item in [_listed(row) for row in first + rest]:
        model = EnrollmentRead.model_validate(item)
        assert json.loads(enrollment_router._PAGES.item(item)) == json.loads(
            model.model_dump_json()
        )


def test_a_listed_enrollment_is_shaped_from_its_values_in_column_order(
    db: Session, factories: Factories
) -> None:
    program = factories.program()
    factories.phase(program, [factories.slot(program)])
    factories.enrollment(program)
    factories.enrollment(program, current_phase_id=None)
    query = enrollments._LIST.query(PageParams(limit=50, cursor=None))
    assert [column.key for column in query.statement.selected_columns] == SUMMARIZED
    rows = db.connection().execute(query.statement, query.binds).all()
    items = [item_from_values(row) for row in rows]
    assert len(items) == 2
    assert [item["patient"]["mrn"] for item in items] == [row.mrn for row in rows]
    # In the model's shape already: written as they are, not picked apart again.
    assert all(shape.fits(items) for shape in enrollment_router._PAGES._shapes.values())


def test_attendance_records_read_as_their_models(db: Session, factories: Factories) -> None:
    program = factories.program()
    enrollments_ = [factories.enrollment(program) for _ in range(2)]
    session = factories.session(program, UTC_NOON, roster=enrollments_)
    db.flush()
    items = [
        AttendanceWrite(enrollment_id=enrollments_[0].id, status=AttendanceStatus.present),
        AttendanceWrite(
            enrollment_id=enrollments_[1].id,
            status=AttendanceStatus.late,
            minutes_attended=20,
            note="Bus strike",
        ),
    ]
    rows = record_attendance_rows(db, Actor("system"), session.id, items)
    written = json.loads(PageWriter(AttendanceRead).array(rows))
    models = TypeAdapter(list[AttendanceRead]).validate_python(rows)
    assert written == json.loads(TypeAdapter(list[AttendanceRead]).dump_json(models))
    assert sorted(record["status"] for record in written) == ["late", "present"]


def test_a_session_page_reads_as_its_models(db: Session, factories: Factories) -> None:
    program = factories.program()
    slot = factories.slot(program)
    factories.phase(program, [slot])
    enrollment = factories.enrollment(program)
    factories.session(program, UTC_NOON, slot=slot, roster=[enrollment])
    # Microseconds, a facilitator and a note: values the first session leaves empty.
    factories.session(
        program,
        UTC_NOON + timedelta(days=1, microseconds=450),
        facilitator_id=factories.user().id,
        group_note="Worked on triggers",
        room="B",
    )
    rows, cursor = sessions._LIST.page(db, PageParams(limit=50, cursor=None))
    assert len(rows) == 2
    written = json.loads(session_router._SESSION_PAGES.page(rows, cursor))
    assert written == _as_models(SessionSummary, rows, cursor)
    assert written["items"][1]["starts_at"].endswith(".000450Z")


class Inner(BaseModel):
    code: str


class Outer(BaseModel):
    id: uuid.UUID
    at: datetime
    label: str = Field(serialization_alias="name")
    inner: Inner | None


def test_only_the_models_fields_are_written_under_their_names() -> None:
    row = {
        "id": uuid.UUID(int=1),
        "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "label": "x",
        "inner": {"code": "c", "extra": 1},
        "secret": "not in the model",
    }
    written = json.loads(PageWriter(Outer).page([row, {**row, "inner": None}], "next"))
    assert written == {
        "items": [
            {
                "id": str(uuid.UUID(int=1)),
                "at": "2026-01-02T03:04:05Z",
                "name": "x",
                "inner": {"code": "c"},
            },
            {"id": str(uuid.UUID(int=1)), "at": "2026-01-02T03:04:05Z", "name": "x", "inner": None},
        ],
        "next_cursor": "next",
    }


class Listing(BaseModel):
    inners: list[Inner]


class Either(BaseModel):
    value: Inner | int


@pytest.mark.parametrize(
    ("model", "reason"), [(Listing, "in a collection"), (Either, "a model or None")]
)
def test_fields_it_cannot_write_are_refused_when_it_is_built(
    model: type[BaseModel], reason: str
) -> None:
    with pytest.raises(TypeError, match=reason):
        PageWriter(model)
