"""The request path: lists built once per shape, routers turning paths away, UTC rows."""

import gc
import uuid
from datetime import timedelta

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import Match

from homeward.api import _check_signed_in
from homeward.http.routing import api_router
from homeward.pagination import MAX_FILTER_VALUES, Filter, KeysetQuery, PageParams
from homeward.patients.models import Patient
from tests.factories import Factories

PATIENTS = KeysetQuery(
    lambda: select(Patient.id, Patient.mrn, Patient.family_name),
    [Patient.mrn, Patient.id],
    [
        Filter.any_of("ids", Patient.id),
        Filter("family_name", Patient.family_name.__eq__),
    ],
)


def _all_pages(db: Session, limit: int, **values: object) -> list[str]:
    mrns: list[str] = []
    cursor: str | None = None
    while True:
        rows, cursor = PATIENTS.page(db, PageParams(limit=limit, cursor=cursor), **values)
        mrns += [row["mrn"] for row in rows]
        if cursor is None:
            return mrns


def test_pages_follow_each_other_with_every_filter_bound(db: Session, factories: Factories) -> None:
    patients = [factories.patient(family_name="Keyset") for _ in range(7)]
    factories.patient(family_name="Elsewhere")
    expected = sorted(p.mrn for p in patients)

    assert _all_pages(db, 3, family_name="Keyset") == expected
    assert _all_pages(db, 2, family_name="Keyset", ids=[p.id for p in patients[:3]]) == sorted(
        p.mrn for p in patients[:3]
    )
    # No value, or an empty list, is no filter.
    everyone = _all_pages(db, 50, family_name=None, ids=[])
    assert set(expected) < set(everyone)


def test_an_empty_cursor_is_the_first_page(db: Session, factories: Factories) -> None:
    patient = factories.patient(family_name="EmptyCursor")
    rows, cursor = PATIENTS.page(db, PageParams(limit=5, cursor=""), family_name="EmptyCursor")
    assert [row["id"] for row in rows] == [patient.id] and cursor is None


def test_long_and_repeated_value_lists_share_shapes(db: Session, factories: Factories) -> None:
    patients = [factories.patient(family_name="Many") for _ in range(MAX_FILTER_VALUES + 2)]
    ids = [p.id for p in patients]
    before = len(PATIENTS._built)

    # Repeats count once: the same shape as the distinct values.
    assert len(_all_pages(db, 50, ids=ids[:2] * 5)) == 2
    assert len(_all_pages(db, 50, ids=ids[:2])) == 2
    # Past the limit, every length shares one statement with the list bound as a whole.
    assert len(_all_pages(db, 50, ids=ids)) == len(ids)
    assert len(_all_pages(db, 50, ids=[*ids, uuid.uuid4()])) == len(ids)
    assert len(PATIENTS._built) - before == 2


def test_a_staff_router_without_sign_in_is_refused_at_start_up() -> None:
    router = api_router(prefix="/open")

    @router.get("")
    def open_route() -> dict[str, str]:
        return {}

    with pytest.raises(RuntimeError, match="does not require sign-in"):
        _check_signed_in(router)


def test_a_mounted_router_turns_away_only_paths_it_cannot_match(
    session_factory: sessionmaker[Session],
) -> None:
    app = FastAPI()
    app.state.session_factory = session_factory
    first, second = api_router(prefix="/first"), APIRouter(prefix="/second")

    @first.get("/{item}")
    async def in_first(item: str) -> dict[str, str]:
        return {"router": "first", "item": item}

    @second.get("/{item}")
    async def in_second(item: str) -> dict[str, str]:
        return {"router": "second", "item": item}

    app.include_router(first, prefix="/api")
    first.mounted_at("/api")
    app.include_router(second, prefix="/api")

    client = TestClient(app)
    assert client.get("/api/first/a").json() == {"router": "first", "item": "a"}
    assert client.get("/api/second/b").json() == {"router": "second", "item": "b"}
    assert client.get("/api/third/c").status_code == 404
    # Turned away before any of its routes is tried.
    assert first.matches({"type": "http", "path": "/api/second/b"}) == (Match.NONE, {})


def test_timestamps_come_back_in_utc_whatever_the_server_zone(
    db: Session, factories: Factories
) -> None:
    """PostgreSQL sessions are set to UTC, which is why no per-row conversion is needed."""
    patient = factories.patient(family_name="Zoned")
    db.commit()
    if db.get_bind().dialect.name == "postgresql":
        # Set by the engine on connecting, whatever the server's default zone.
        assert db.scalar(text("SHOW TimeZone")) == "UTC"
    created = db.scalar(select(Patient.created_at).where(Patient.id == patient.id))
    assert created is not None and created.utcoffset() == timedelta(0)
    assert created.tzinfo is not None and created.tzname() == "UTC"


def test_serving_freezes_what_start_up_built(app: FastAPI) -> None:
    gc.unfreeze()
    try:
        with TestClient(app) as client:
            assert client.get("/healthz").status_code == 200
            # The app, its routes and their models are out of the collector's full passes.
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
