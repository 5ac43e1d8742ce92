"""Keyset (cursor) pagination: `{items, next_cursor}` in a stable order.

The cursor is the sort key of the last row returned, so a page never skips or
repeats rows when others are inserted meanwhile, and each page costs one query.

A cursor is opaque and signed with the app's secret: a client cannot make one up,
and one it altered is a 422 `cursor is not valid`. `paginate` keeps only the last
row's unique key in it (the other sort columns are read back in the page's own
query), so a list sorted by name never puts a patient's name in a URL.
"""

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel
from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    bindparam,
    literal,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from homeward.db import as_dicts
from homeward.errors import InvalidInput

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
    # What cursors are signed with; `page_params` derives it from the app's secret.
    cursor_key: bytes = b"homeward-cursor"


@lru_cache(maxsize=8)
def cursor_key(secret_key: str) -> bytes:
    """The cursors' own key, so that a cursor's signature is worth nothing elsewhere."""
    return hmac.new(secret_key.encode(), b"homeward pagination cursor", hashlib.sha256).digest()


_SIGNATURE_BYTES = 16
# What a key column may hold: a cursor's number must fit the database's BIGINT.
_BIGGEST = 2**63 - 1


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: bytes, key: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def _encode(values: Sequence[Any], key: bytes) -> str:
    # orjson writes times, dates and UUIDs as `isoformat()` and `str()` would.
    payload = orjson.dumps(list(values))
    return f"{_b64(payload)}.{_b64(_signature(payload, key))}"


def _decode(cursor: str, columns: Sequence[InstrumentedAttribute[Any]], key: bytes) -> list[Any]:
    try:
        encoded, _, signature = cursor.partition(".")
        payload = _unb64(encoded)
        if not hmac.compare_digest(_unb64(signature), _signature(payload, key)):
            raise ValueError("not signed here")
        values = json.loads(payload)
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError("wrong shape")
        return [_typed(value, column) for value, column in zip(values, columns, strict=True)]
    except (ValueError, TypeError, OverflowError, RecursionError) as error:
        raise InvalidInput.at(["query", "cursor"], "cursor is not valid") from error


def _typed(value: Any, column: InstrumentedAttribute[Any]) -> Any:
    """`value` as `column` holds it, or ValueError: a signed cursor is still checked."""
    if value is None:
        return None
    python_type = column.type.python_type
    if python_type is datetime and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a cursor's time has an offset")
        return moment.astimezone(UTC)
    if python_type is date and isinstance(value, str):
        return date.fromisoformat(value)
    if python_type is uuid.UUID and isinstance(value, str):
        return uuid.UUID(value)
    if python_type is int and type(value) is int and abs(value) <= _BIGGEST:
        return value
    if python_type is float and type(value) in (int, float):
        return float(value)
    if python_type is str and isinstance(value, str) and "\x00" not in value:
        return value
    raise ValueError(f"not a {python_type.__name__}")


def _one_page(
    statement: Select[*tuple[Any, ...]],
    order_by: Sequence[InstrumentedAttribute[Any]],
    params: PageParams,
    descending: bool,
) -> Select[*tuple[Any, ...]]:
    """`statement` from the cursor on, in order; one row over the page tells if more follow.

    The cursor holds the last row's unique key (`order_by[-1]`); its other sort values
    are read back from that row within this statement.
    """
    if params.cursor:
        unique = order_by[-1]
        [last] = _decode(params.cursor, [unique], params.cursor_key)
        after = [select(column).where(unique == last).scalar_subquery() for column in order_by[:-1]]
        key = tuple_(*order_by)
        bound = tuple_(*after, literal(last, type_=unique.type))
        statement = statement.where(key < bound if descending else key > bound)
    ordering = [c.desc() if descending else c.asc() for c in order_by]
    return statement.order_by(*ordering).limit(params.limit + 1)


def _cut(
    rows: list[Row], params: PageParams, key: Callable[[Row], list[Any]]
) -> tuple[list[Row], str | None]:
    if len(rows) <= params.limit:
        return rows, None
    rows = rows[: params.limit]
    return rows, _encode(key(rows[-1]), params.cursor_key)


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
        lambda last: [getattr(last, order_by[-1].key)],
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


def paginate_about_patients(
    db: Session,
    statement: Select[Row, uuid.UUID],
    order_by: Sequence[InstrumentedAttribute[Any]],
    params: PageParams,
    *,
    read_as: type[Read],
    descending: bool = False,
) -> tuple[Page[Read], list[uuid.UUID]]:
    """`paginate` of a statement that selects each row and the patient it is about, and
    those patients, for the list's audit event: read in the same query."""
    limited = _one_page(statement, order_by, params, descending)
    rows, next_cursor = _cut(
        list(db.execute(limited).tuples()),
        params,
        lambda last: [getattr(last[0], order_by[-1].key)],
    )
    page = Page[read_as](  # type: ignore[valid-type]
        items=[read_as.model_validate(row) for row, _ in rows], next_cursor=next_cursor
    )
    return page, [patient_id for _, patient_id in rows]


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
            after = _decode(params.cursor, self.order_by, params.cursor_key)
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
