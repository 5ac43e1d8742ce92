"""Statements sent to PostgreSQL as SQL compiled once, and the audit event's insert that
writers send with their own statements (`audit/reads.py`, `sessions/attendance_pooled.py`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import orjson
from psycopg.types.json import Json
from sqlalchemy import (
    Insert,
    ScalarSelect,
    Select,
    String,
    Subquery,
    Table,
    bindparam,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

from homeward.audit.id_lists import UUID_ARRAY, as_uuids
from homeward.audit.models import AuditEvent
from homeward.audit.service import Actor, audit_event

PARAMETER_PREFIX = "audit_"
AUDIT_TABLE = cast(Table, AuditEvent.__table__)
_DIALECT = PGDialect_psycopg()  # type: ignore[no-untyped-call]  # untyped upstream


@dataclass(frozen=True)
class Composed:
    """A statement compiled once for PostgreSQL: its SQL, the values it binds itself (its
    literals), and the names of the columns it returns."""

    sql: str
    literals: dict[str, Any]
    columns: tuple[str, ...]

    @classmethod
    def of(cls, statement: Select[Any]) -> "Composed":
        compiled = statement.compile(dialect=_DIALECT)
        sql = str(compiled)
        if "POSTCOMPILE" in sql:
            # An "expanding" IN list is rendered at execution, by SQLAlchemy only.
            raise ValueError("a pooled read cannot bind an expanding list; bind each value")
        literals = {
            name: bind.effective_value
            for bind, name in compiled.bind_names.items()
            if not bind.required
        }
        columns = tuple(str(column.key) for column in statement.selected_columns)
        return cls(sql, literals, columns)

    def parameters(self, bound: Mapping[str, Any]) -> dict[str, Any]:
        return {**self.literals, **bound}


def event_insert() -> Insert:
    """An INSERT of one whole audit event from parameters named as `event_parameters` names
    them, for a writer that sends it with its own statements."""
    return insert(AUDIT_TABLE).values(
        {
            column.name: bindparam(f"{PARAMETER_PREFIX}{column.name}", type_=column.type)
            for column in AUDIT_TABLE.columns
            if column.name in _WRITTEN_COLUMNS
        }
    )


# What `audit_event` fills in; the chain's columns are the sealer's.
_WRITTEN_COLUMNS = frozenset(audit_event(Actor.system(), "audit.columns", "audit_event"))


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def event_parameters(event: Mapping[str, Any]) -> dict[str, Any]:
    """`event` (from `audit_event`) as the parameters of `event_insert`."""
    bound = {f"{PARAMETER_PREFIX}{name}": value for name, value in event.items()}
    detail = event["detail"]
    bound[f"{PARAMETER_PREFIX}detail"] = None if detail is None else Json(detail, _json_text)
    for name in ("patient_ids", "resource_ids"):  # bound by the driver, past `IdList`
        value = event[name]
        bound[f"{PARAMETER_PREFIX}{name}"] = None if value is None else as_uuids(value)
    return bound


def listed_ids(rows: Subquery, column: str = "patient_id") -> ScalarSelect[Any]:
    """`column` of `rows` as an event names a list's patients (`patient_ids`) or rows
    (`resource_ids`), as `record` does (`id_list`): each once, in order (a UUID's order
    is its text's)."""
    ids = rows.c[column]
    listed = func.array_agg(aggregate_order_by(ids.distinct(), ids), type_=UUID_ARRAY)
    none = sql_cast(literal("{}", String), UUID_ARRAY)
    return select(func.coalesce(listed, none, type_=UUID_ARRAY)).scalar_subquery()
