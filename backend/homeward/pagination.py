"""Keyset (cursor) pagination: `{items, next_cursor}` in a stable order.

The cursor is the sort key of the last row returned, so a page never skips or
repeats rows when others are inserted meanwhile, and each page costs one query.
"""

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import RowMapping, Select, Subquery, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

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


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


# What a list endpoint declares to take `limit` and `cursor`.
Pagination = Annotated[PageParams, Depends(page_params)]


def _encode(values: Sequence[Any]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, uuid.UUID):
            return str(value)
        return value

    raw = json.dumps([plain(v) for v in values], separators=(",", ":")).encode()
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
    limited = _one_page(statement, order_by, params, descending)
    rows, next_cursor = _cut(
        list(db.scalars(limited).unique()),
        params,
        lambda last: [getattr(last, column.key) for column in order_by],
    )
    if prepare:
        prepare(rows)
    return Page[read_as](  # type: ignore[valid-type]
        items=[read_as.model_validate(row) for row in rows], next_cursor=next_cursor
    )


def page_rows(
    db: Session,
    statement: Columns,
    order_by: Sequence[InstrumentedAttribute[Any]],
    params: PageParams,
    *,
    descending: bool = False,
    around: Callable[[Subquery], Columns] | None = None,
) -> tuple[list[RowMapping], str | None]:
    """One page of a statement of plain columns, as mappings, and the next cursor.

    For reads that skip the ORM. `statement` must select the `order_by` columns under
    their own names. `around` gets the page as a subquery and returns a statement over
    it that adds what the items show (joins, counts): that work is then done for the
    page's rows only, whatever the planner knows about the tables.
    """
    limited = _one_page(statement, order_by, params, descending)
    if around is not None:
        page = limited.subquery("page")
        keys = [page.c[column.key] for column in order_by]
        limited = around(page).order_by(*[k.desc() if descending else k.asc() for k in keys])
    # Straight to the connection: the ORM's row handling costs more than these rows need.
    db.flush()
    return _cut(
        list(db.connection().execute(limited).mappings()),
        params,
        lambda last: [last[column.key] for column in order_by],
    )
