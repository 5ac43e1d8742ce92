"""How an audit event keeps the ids a list showed (`patient_ids`, `resource_ids`).

Every read of a list writes one, so its size is paid on each: at insert, again when
the sealer links the event (a new row version, with every index entry), and in the
write-ahead log both times. PostgreSQL keeps them as `uuid[]`, 16 bytes an id where
JSONB text took about 40, under a GIN index that answers `@>` and `&&`. SQLite keeps
JSON. Either way they read back as the same list of sorted UUID text, which is what
the chain's hash covers, so events linked while they were JSONB keep their hashes.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, ColumnElement, Uuid, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine

UUID_ARRAY = ARRAY(Uuid())


class IdList(TypeDecorator[list[str]]):
    """Sorted UUID text in Python; `uuid[]` on PostgreSQL, JSON elsewhere."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(UUID_ARRAY)
        return dialect.type_descriptor(JSON())

    def process_bind_param(self, value: Iterable[Any] | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "postgresql":
            return value
        return as_uuids(value)

    def column_expression(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        return type_coerce(_AsText(column), self)

    def process_result_value(self, value: Any, dialect: Dialect) -> list[str] | None:
        # Text already (`_AsText`): the driver builds no UUID objects to turn back into it.
        return None if value is None else list(value)


def as_uuids(ids: Iterable[Any]) -> list[uuid.UUID]:
    return [one if isinstance(one, uuid.UUID) else uuid.UUID(one) for one in ids]


class _AsText(FunctionElement[Any]):
    """The ids as text where they are `uuid[]`: what the hash and the API read."""

    inherit_cache = True
    type = JSON()


@compiles(_AsText)
def _as_they_are(element: _AsText, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_AsText, "postgresql")
def _as_text_array(element: _AsText, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT[])"
