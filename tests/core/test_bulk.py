"""Bulk writes land the same rows on both databases: COPY and arrays on PostgreSQL."""

from datetime import date
from enum import StrEnum

import pytest
from sqlalchemy import JSON, Column, Date, Integer, MetaData, String, Table, select
from sqlalchemy.orm import Session

from homeward.bulk import insert_dicts, insert_rows, update_rows
from tests.statements import count_queries

PROBE = Table(
    "bulk_probe",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("note", String(40)),
    Column("detail", JSON),
    Column("kept_null", JSON(none_as_null=True)),
    Column("day", Date),
    Column("version", Integer),
)


@pytest.fixture
def probe(db: Session) -> Table:
    PROBE.create(db.connection())
    return PROBE


def test_insert_rows_writes_every_row_in_one_statement(db: Session, probe: Table) -> None:
    rows = [
        (1, "tab\tand\nnewline \\ back", {"a": [1, 2.5, None]}, {"b": True}, date(2026, 3, 1), 1),
        (2, None, None, None, None, 1),
    ]
    with count_queries(db) as statements:
        insert_rows(db.connection(), probe, [c.name for c in probe.columns], rows)
    assert len(statements) == 1
    stored = db.execute(select(probe).order_by(probe.c.id)).all()
    assert [tuple(row) for row in stored] == rows
    # JSON null as SQLAlchemy writes it, unless the column keeps None as SQL NULL.
    nulls = db.execute(
        select(probe.c.detail.is_(None), probe.c.kept_null.is_(None)).where(probe.c.id == 2)
    ).one()
    assert tuple(nulls) == (False, True)


def test_update_rows_pairs_each_key_with_its_values(db: Session, probe: Table) -> None:
    columns = [c.name for c in probe.columns]
    insert_rows(
        db.connection(), probe, columns, [(i, f"n{i}", None, None, None, 1) for i in range(1, 5)]
    )
    update_rows(
        db.connection(),
        probe,
        "id",
        {"id": [3, 1], "note": ["third", "first"], "day": [date(2026, 1, 3), None]},
        {"version": probe.c.version + 1},
    )
    stored = db.execute(select(probe.c.id, probe.c.note, probe.c.day, probe.c.version)).all()
    assert sorted(tuple(row) for row in stored) == [
        (1, "first", None, 2),
        (2, "n2", None, 1),
        (3, "third", date(2026, 1, 3), 2),
        (4, "n4", None, 1),
    ]


def test_update_rows_changes_only_rows_that_still_match(db: Session, probe: Table) -> None:
    columns = [c.name for c in probe.columns]
    insert_rows(
        db.connection(), probe, columns, [(i, f"n{i}", None, None, None, 1) for i in range(1, 4)]
    )
    changed = update_rows(
        db.connection(),
        probe,
        "id",
        # Row 2 was read at version 1 but someone has moved it to 2 meanwhile.
        {"id": [1, 2], "version": [1, 2], "note": ["first", "second"]},
        {"version": probe.c.version + 1},
        matching=["version"],
    )
    assert changed == 1
    stored = db.execute(select(probe.c.id, probe.c.note, probe.c.version)).all()
    assert sorted(tuple(row) for row in stored) == [(1, "first", 2), (2, "n2", 1), (3, "n3", 1)]


class _Mood(StrEnum):
    calm = "calm"


DEFAULTED = Table(
    "bulk_defaulted_probe",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("note", String(40), default="none given"),
    Column("token", String(40), default=lambda: "made"),
    Column("mood", String(16)),
    Column("day", Date),
)


def test_insert_dicts_fills_defaults_as_an_insert_would(db: Session) -> None:
    DEFAULTED.create(db.connection())
    rows = [
        {"id": 1, "mood": _Mood.calm, "day": None},
        {"id": 2, "mood": None, "day": date(2026, 3, 1)},
    ]
    with count_queries(db) as statements:
        insert_dicts(db.connection(), DEFAULTED, rows)
    # One COPY on PostgreSQL; SQLite's executemany is one statement too.
    assert len(statements) == 1
    stored = db.execute(select(DEFAULTED).order_by(DEFAULTED.c.id)).all()
    assert [tuple(row) for row in stored] == [
        (1, "none given", "made", "calm", None),
        (2, "none given", "made", None, date(2026, 3, 1)),
    ]
