"""Keyset (cursor) pagination: `{items, next_cursor}` in a stable order.

The cursor is the sort key of the last row returned, so a page never skips or
repeats rows when others are inserted meanwhile, and each page costs one query.
"""

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    bindparam,
    literal_column,
    tuple_,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from homeward.db import as_dicts
from homeward.errors import InvalidInput

if TYPE_CHECKING:  # the audit package lists its own trail with `paginate`
    from homeward.audit.reads import AuditedList, AuditedReads
    from homeward.audit.service import Actor

T = TypeVar("T")
Row = TypeVar("Row")
Read = TypeVar("Read", bound=BaseModel)
# A select of any columns, for `page_rows`.
Columns = Select[*tuple[Any, ...]]

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


class PageParams(BaseModel):
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


# What a list endpoint declares to take `limit` and `cursor`.
Pagination = Annotated[PageParams, Depends(page_params)]


def _encode(values: Sequence[Any]) -> str:
    # orjson writes times, dates and UUIDs as `isoformat()` and `str()` would.
    raw = orjson.dumps(list(values))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, columns: Sequence[InstrumentedAttribute[Any]]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError("wrong shape")
        return [_typed(value, column) for value, column in zip(values, columns, strict=True)]
    except (ValueError, TypeError, json.JSONDecodeError) as error:
        raise InvalidInput.at(["query", "cursor"], "cursor is not valid") from error


def _typed(value: Any, column: InstrumentedAttribute[Any]) -> Any:
    if value is None:
        return None
    python_type = column.type.python_type
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type is date:
        return date.fromisoformat(value)
    if python_type is uuid.UUID:
        return uuid.UUID(value)
    if python_type in (int, float, str):
        return python_type(value)
    raise ValueError(f"cannot page on {python_type}")


def _one_page(
    statement: Select[Any],
    order_by: Sequence[InstrumentedAttribute[Any]],
    params: PageParams,
    descending: bool,
) -> Select[Any]:
    """`statement` from the cursor on, in order; one row over the page tells if more follow."""
    if params.cursor:
        after = _decode(params.cursor, order_by)
        key = tuple_(*order_by)
        statement = statement.where(key < tuple_(*after) if descending else key > tuple_(*after))
    ordering = [c.desc() if descending else c.asc() for c in order_by]
    return statement.order_by(*ordering).limit(params.limit + 1)


def _cut(
    rows: list[Row], params: PageParams, key: Callable[[Row], list[Any]]
) -> tuple[list[Row], str | None]:
    if len(rows) <= params.limit:
        return rows, None
    rows = rows[: params.limit]
    return rows, _encode(key(rows[-1]))


def page_of(
    db: Session,
    statement: Select[Row],
    order_by: Sequence[InstrumentedAttribute[Any]],
    params: PageParams,
    *,
    descending: bool = False,
) -> tuple[list[Row], str | None]:
    """One page of `statement`'s rows as they are, and the next page's cursor."""
    limited = _one_page(statement, order_by, params, descending)
    return _cut(
        list(db.scalars(limited).unique()),
        params,
        lambda last: [getattr(last, column.key) for column in order_by],
    )


def paginate(
    db: Session,
    statement: Select[Row],
    order_by: Sequence[InstrumentedAttribute[Any]],
    params: PageParams,
    *,
    read_as: type[Read],
    descending: bool = False,
    prepare: Callable[[list[Row]], object] | None = None,
) -> Page[Read]:
    """Run one page of `statement`, ordered by `order_by` (the last column must be unique).

    `prepare` gets the page's rows before they are read, to load what they need
    in one query for the whole page.
    """
    rows, next_cursor = page_of(db, statement, order_by, params, descending=descending)
    if prepare:
        prepare(rows)
    return Page[read_as](  # type: ignore[valid-type]
        items=[read_as.model_validate(row) for row in rows], next_cursor=next_cursor
    )


# A `many` filter with more distinct values than this binds them as one list, so a
# request cannot grow the statement cache without bound.
MAX_FILTER_VALUES = 8
EXPANDING = -1


@dataclass(frozen=True)
class Filter:
    """One optional condition of a `KeysetQuery`; `where` gets the value as a bound parameter."""

    name: str
    # Gets a bound parameter, or for a `many` filter a list of them (matched with IN).
    where: Callable[[Any], ColumnElement[bool]]
    many: bool = False
    value_type: Any = None  # what a list's parameters are bound as; one is bound as its column

    @classmethod
    def any_of(cls, name: str, column: InstrumentedAttribute[Any]) -> "Filter":
        """Rows whose `column` holds any of a list of values."""
        return cls(name, column.in_, many=True, value_type=column.type)


@dataclass(frozen=True)
class PageQuery:
    """One page's statement, as `KeysetQuery` builds it for a shape of filters, and its values."""

    statement: Columns
    binds: dict[str, Any]
    order_keys: tuple[str, ...]
    descending: bool


class KeysetQuery:
    """A list read of plain columns, paged by key, built once per combination of filters.

    Composing a statement of joins and subqueries, and its cache key, costs more than
    running it for a page of 50; so each shape (which filters are set, whether a cursor
    is) is built the first time it is asked for, with every value a bound parameter.

    `columns` must select the `order_by` columns under their own names. `around` gets
    the page as a subquery and returns a statement over it that adds what the items
    show (joins, counts): that work is then done for the page's rows only.
    """

    def __init__(
        self,
        columns: Callable[[], Columns],
        order_by: Sequence[InstrumentedAttribute[Any]],
        filters: Sequence[Filter] = (),
        *,
        descending: bool = False,
        around: Callable[[Subquery], Columns] | None = None,
    ) -> None:
        self.columns = columns
        self.order_by = order_by
        self.filters = {f.name: f for f in filters}
        self.descending = descending
        self.around = around
        # By shape: each filter given, with how many values for a `many` one; whether a
        # cursor is; and the limit. Longer lists share one shape (see `MAX_FILTER_VALUES`).
        # The limit is written into the SQL, not bound: a prepared statement whose
        # planner cannot see it is planned for hundreds of rows (a full scan of patients
        # for a page of 50) or planned again on every run, which cost a page of
        # enrollments twice the database time. `MAX_LIMIT` bounds the shapes.
        self._built: dict[tuple[tuple[tuple[str, int], ...], bool, int], Columns] = {}

    def query(self, params: PageParams, **values: Any) -> "PageQuery":
        """The statement for one page of the rows matching every filter whose value is
        given (not None or empty), and its bound values."""
        shape, binds = self._bind(values)
        if params.cursor:
            after = _decode(params.cursor, self.order_by)
            binds.update({f"after_{i}": value for i, value in enumerate(after)})
        key = (shape, bool(params.cursor), params.limit + 1)
        statement = self._built.get(key)
        if statement is None:
            statement = self._built[key] = self._build(*key)
        keys = tuple(column.key for column in self.order_by)
        return PageQuery(statement, binds, keys, self.descending)

    def cut(
        self, rows: list[dict[str, Any]], params: PageParams
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The page's rows (the query reads one more) and the cursor to the next page."""
        return _cut(rows, params, lambda last: [last[column.key] for column in self.order_by])

    def page(
        self, db: Session, params: PageParams, **values: Any
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the rows matching every filter whose value is given (not None or empty)."""
        query = self.query(params, **values)
        # Straight to the connection: the ORM's row handling costs more than these rows need.
        db.flush()
        return self.cut(as_dicts(db.connection().execute(query.statement, query.binds)), params)

    async def audited_page(
        self,
        reads: "AuditedReads",
        listing: "AuditedList",
        actor: "Actor",
        params: PageParams,
        *,
        about_patient: uuid.UUID | None = None,
        **values: Any,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """`page`, read with `listing`'s audit event (see `homeward.audit.reads`), which
        names `about_patient` when the list is one patient's."""
        query = self.query(params, **values)
        rows = await reads.page(listing, actor, query, shown=params.limit, patient_id=about_patient)
        return self.cut(rows, params)

    def _bind(self, values: dict[str, Any]) -> tuple[tuple[tuple[str, int], ...], dict[str, Any]]:
        """The shape of the filters given, and their values by parameter name."""
        shape: list[tuple[str, int]] = []
        binds: dict[str, Any] = {}
        for name, value in sorted(values.items()):
            if value is None or value == []:
                continue
            if not self.filters[name].many:
                binds[f"filter_{name}"] = value
                shape.append((name, 0))
            elif len(set(value)) <= MAX_FILTER_VALUES:
                # One parameter per value rather than an "expanding" one, which is
                # rendered into the SQL again on every execution.
                distinct = list(dict.fromkeys(value))
                binds.update({f"filter_{name}_{i}": item for i, item in enumerate(distinct)})
                shape.append((name, len(distinct)))
            else:
                binds[f"filter_{name}"] = value
                shape.append((name, EXPANDING))
        return tuple(shape), binds

    def _build(self, shape: tuple[tuple[str, int], ...], after_cursor: bool, limit: int) -> Columns:
        statement = self.columns()
        for name, count in shape:
            value: Any = bindparam(f"filter_{name}", expanding=count == EXPANDING)
            if self.filters[name].many and count != EXPANDING:
                value_type = self.filters[name].value_type
                value = [bindparam(f"filter_{name}_{i}", type_=value_type) for i in range(count)]
            statement = statement.where(self.filters[name].where(value))
        key = tuple_(*self.order_by)
        if after_cursor:
            after = tuple_(
                *[bindparam(f"after_{i}", type_=c.type) for i, c in enumerate(self.order_by)]
            )
            statement = statement.where(key < after if self.descending else key > after)
        statement = statement.order_by(
            *[c.desc() if self.descending else c.asc() for c in self.order_by]
        ).limit(literal_column(str(int(limit))))
        if self.around is None:
            return statement
        page = statement.subquery("page")
        keys = [page.c[column.key] for column in self.order_by]
        return self.around(page).order_by(*[k.desc() if self.descending else k.asc() for k in keys])
