"""Reads of patient data that leave their audit event in the same statement.

Reads are the busiest requests a clinic makes, and most of their cost used to be
around the query rather than in it: a worker-thread hop, a transaction opened and
committed, the read and the audit INSERT as separate round trips.

On PostgreSQL a read goes to the server as one statement on a connection of an
asyncio pool, in autocommit:

    WITH read AS (<the read>), audit AS (INSERT INTO audit_events ... SELECT ... FROM read)
    SELECT * FROM read

so the rows and their audit event commit together or not at all. A single-resource
read (`AuditedRead`) that finds nothing records nothing, as `record` after a read
would; a list (`AuditedList`) records one event with how many rows it showed.
On SQLite the same read runs on the request's Session, followed by `record`. The tests
on PostgreSQL run the combined statement too, on their own connection (`read_pool`).
"""

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

import anyio.to_thread
from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    String,
    Subquery,
    Uuid,
    bindparam,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from homeward.audit import accounting
from homeward.audit.accounting import Through
from homeward.audit.composed import AUDIT_TABLE, PARAMETER_PREFIX, Composed, listed_ids
from homeward.audit.service import Actor, audit_event, record
from homeward.db import dict_maker
from homeward.pagination import KeysetQuery, PageParams, PageQuery
from homeward.read_pool import ReadPool

# The event's own values, bound as parameters; what it is about comes from the read.
_EVENT_PARAMETERS = ("id", "occurred_at", "actor_type", "actor_id", "ip", "request_id")


def _with_audit(
    read: Select[Any],
    action: str,
    resource_type: str,
    about: Callable[[CTE], dict[str, ColumnElement[Any]]],
) -> tuple[CTE, Select[Any]]:
    """`read` as the CTE `read`, and a select of its rows that also inserts, from them, its
    audit event: one statement. `about` gives the rest of the event's columns over `read`.
    """
    rows = read.cte("read")
    # Typed, so that a NULL (an actor with no id or address) has a type to insert.
    values: dict[str, ColumnElement[Any]] = {
        name: bindparam(f"{PARAMETER_PREFIX}{name}", type_=AUDIT_TABLE.c[name].type)
        for name in _EVENT_PARAMETERS
    }
    values |= {
        "outcome": literal("success", String),
        "action": literal(action, String),
        "resource_type": literal(resource_type, String),
        **about(rows),
    }
    event = insert(AUDIT_TABLE).from_select(
        list(values), select(*values.values()).select_from(rows)
    )
    return rows, select(*rows.c).add_cte(event.cte("audit"))


@dataclass(frozen=True)
class AuditedRead:
    """A read of one row of patient data, and the audit event each read leaves.

    `statement` selects at most one row, with `resource_column` (the resource's id)
    and `patient_column` among its columns; its parameters are bound by name.
    """

    statement: Select[Any]
    action: str
    resource_type: str
    resource_column: str
    patient_column: str
    # The columns of the read the event's `detail` holds, by name.
    detail_columns: tuple[str, ...] = ()
    # The row's item from its values, in the statement's column order; without it, a
    # dict by column name. It must keep `resource_column` and `patient_column`.
    item: Callable[[Sequence[Any]], dict[str, Any]] | None = None
    columns: list[str] = field(init=False, compare=False, repr=False)
    # `item`, or else a dict by column name: what `one` makes of the row it finds.
    row_item: Callable[[Sequence[Any]], dict[str, Any]] = field(
        init=False, compare=False, repr=False
    )
    composed: Composed = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        keys = [column.key for column in self.statement.selected_columns]
        object.__setattr__(self, "columns", keys)
        object.__setattr__(self, "row_item", self.item or dict_maker(tuple(keys)))
        object.__setattr__(self, "composed", Composed.of(self._with_audit()))

    def _with_audit(self) -> Select[Any]:
        def about(rows: CTE) -> dict[str, ColumnElement[Any]]:
            columns: dict[str, ColumnElement[Any]] = {
                "resource_id": sql_cast(rows.c[self.resource_column], String),
                "patient_id": rows.c[self.patient_column],
            }
            if self.detail_columns:
                pairs = [(literal(name, String), rows.c[name]) for name in self.detail_columns]
                columns["detail"] = func.json_build_object(*[v for pair in pairs for v in pair])
            return columns

        return _with_audit(self.statement, self.action, self.resource_type, about)[1]


@dataclass(frozen=True)
class AuditedList:
    """What reading a page of a list records: one event, with how many rows it showed.

    The event names the patient when the list was filtered to one, and, in
    `patient_ids`, every patient of the rows it showed (or, for rows about several
    patients each, the rows themselves in `resource_ids`).
    """

    action: str
    resource_type: str
    # Each row's item from its values, in the statement's column order; without it, a
    # dict by column name. Rows are built once, in their final shape.
    item: Callable[[Sequence[Any]], dict[str, Any]] | None = None
    # The column of the read naming each row's patient; None for a list of no patient's data.
    patient_column: str | None = None
    # For rows about several patients each (a session and its roster): the event names
    # the rows shown by `id`, and this says whose data they were, and when
    # (`audit/accounting.py`).
    listed_through: Through | None = None
    # By statement: a keyset list builds one per shape of filters, and keeps it.
    _composed: dict[int, tuple[Select[Any], Composed]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        if self.listed_through:
            accounting.register(self.action, self.listed_through)

    def _shown(self, rows: CTE, page: PageQuery, shown: BindParameter[int]) -> Subquery | None:
        """Over the CTE `read`: the patients (or, read through, the ids) of the rows shown."""
        column: ColumnElement[Any]
        if self.patient_column:
            column = rows.c[self.patient_column].label("patient_id")
        elif self.listed_through:
            column = rows.c.id
        else:
            return None
        return select(column).order_by(*_page_order(rows, page)).limit(shown).subquery()

    def composed(self, page: PageQuery) -> Composed:
        """The page and its audit INSERT as one statement, compiled once per page shape."""
        kept = self._composed.get(id(page.statement))
        if kept is None or kept[0] is not page.statement:
            kept = (page.statement, Composed.of(self._with_audit(page)))
            self._composed[id(page.statement)] = kept
        return kept[1]

    def _with_audit(self, page: PageQuery) -> Select[Any]:
        shown = bindparam(f"{PARAMETER_PREFIX}shown", type_=Integer)

        def about(rows: CTE) -> dict[str, ColumnElement[Any]]:
            columns: dict[str, ColumnElement[Any]] = {
                "patient_id": bindparam(f"{PARAMETER_PREFIX}patient_id", type_=Uuid),
                # The page reads one row more than it shows, to know whether more follow.
                "detail": func.json_build_object(
                    literal("count", String), func.least(func.count(), shown)
                ),
            }
            listed = self._shown(rows, page, shown)
            if listed is not None and self.listed_through:
                columns["resource_ids"] = listed_ids(listed, "id")
            elif listed is not None:
                columns["patient_ids"] = listed_ids(listed)
            return columns

        rows, statement = _with_audit(page.statement, self.action, self.resource_type, about)
        return statement.order_by(*_page_order(rows, page))


def _page_order(rows: CTE, page: PageQuery) -> list[ColumnElement[Any]]:
    return [rows.c[key].desc() if page.descending else rows.c[key] for key in page.order_keys]


class AuditedReads(Protocol):
    async def one(
        self, read: AuditedRead, actor: Actor, parameters: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The row `read` finds, as a dict, with its audit event committed; None if none."""
        ...

    async def page(
        self,
        listing: AuditedList,
        actor: Actor,
        page: PageQuery,
        *,
        shown: int,
        patient_id: uuid.UUID | None = None,
    ) -> list[dict[str, Any]]:
        """The rows of `page`, with `listing`'s event committed (counting at most `shown`)."""
        ...


def _read_event_parameters(actor: Actor, action: str, resource_type: str) -> dict[str, Any]:
    event = audit_event(actor, action, resource_type)
    return {f"{PARAMETER_PREFIX}{name}": event[name] for name in _EVENT_PARAMETERS}


def _plain(binds: Mapping[str, Any]) -> dict[str, Any]:
    # What SQLAlchemy's enum types bind, the driver gets as the value: the string.
    return {
        name: value.value if isinstance(value, Enum) else value for name, value in binds.items()
    }


class PooledReads:
    """`AuditedReads` on PostgreSQL: one statement on a pooled autocommit connection.

    Results come in binary: UUIDs, times and bytes arrive without text to parse (a kept
    progress body would otherwise come as hex, twice its size).
    """

    def __init__(self, pool: ReadPool) -> None:
        self.pool = pool

    async def one(
        self, read: AuditedRead, actor: Actor, parameters: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        bound = _read_event_parameters(actor, read.action, read.resource_type)
        bound.update(_plain(parameters))
        composed = read.composed
        async with self.pool.connection() as connection:
            cursor = await connection.execute(composed.sql, composed.parameters(bound), binary=True)
            row = await cursor.fetchone()
        return None if row is None else read.row_item(row)

    async def page(
        self,
        listing: AuditedList,
        actor: Actor,
        page: PageQuery,
        *,
        shown: int,
        patient_id: uuid.UUID | None = None,
    ) -> list[dict[str, Any]]:
        bound = _read_event_parameters(actor, listing.action, listing.resource_type)
        bound.update(_plain(page.binds))
        bound[f"{PARAMETER_PREFIX}patient_id"] = patient_id
        bound[f"{PARAMETER_PREFIX}shown"] = shown
        composed = listing.composed(page)
        async with self.pool.connection() as connection:
            cursor = await connection.execute(composed.sql, composed.parameters(bound), binary=True)
            rows = await cursor.fetchall()
        return list(map(listing.item or dict_maker(composed.columns), rows))


class SessionReads:
    """`AuditedReads` on the request's Session: the read, then `record`, then commit."""

    def __init__(self, db: Session) -> None:
        self.db = db

    async def one(
        self, read: AuditedRead, actor: Actor, parameters: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        return await anyio.to_thread.run_sync(self.one_now, read, actor, parameters)

    def one_now(
        self, read: AuditedRead, actor: Actor, parameters: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        found = self.db.connection().execute(read.statement, dict(parameters)).first()
        if found is None:
            return None
        row = read.row_item(found)
        resource_id: uuid.UUID = row[read.resource_column]
        record(
            self.db,
            actor,
            read.action,
            read.resource_type,
            resource_id,
            patient_id=row[read.patient_column],
            detail={name: row[name] for name in read.detail_columns} or None,
        )
        self.db.commit()
        return row

    async def page(
        self,
        listing: AuditedList,
        actor: Actor,
        page: PageQuery,
        *,
        shown: int,
        patient_id: uuid.UUID | None = None,
    ) -> list[dict[str, Any]]:
        def read_and_record() -> list[dict[str, Any]]:
            self.db.flush()
            result = self.db.connection().execute(page.statement, page.binds)
            keys = tuple(result.keys())
            values = result.all()
            rows = list(map(listing.item or dict_maker(keys), values))
            detail: dict[str, object] = {"count": min(len(rows), shown)}
            patient_ids = resource_ids = None
            if listing.patient_column:
                at = keys.index(listing.patient_column)
                patient_ids = [row[at] for row in values[:shown]]
            elif listing.listed_through:
                resource_ids = [row[keys.index("id")] for row in values[:shown]]
            record(
                self.db,
                actor,
                listing.action,
                listing.resource_type,
                patient_id=patient_id,
                detail=detail,
                patient_ids=patient_ids,
                resource_ids=resource_ids,
            )
            self.db.commit()
            return rows

        return await anyio.to_thread.run_sync(read_and_record)


async def audited_page(
    keyset: KeysetQuery,
    reads: AuditedReads,
    listing: AuditedList,
    actor: Actor,
    params: PageParams,
    *,
    about_patient: uuid.UUID | None = None,
    **values: Any,
) -> tuple[list[dict[str, Any]], str | None]:
    """`keyset`'s page, read with `listing`'s audit event, which names `about_patient`
    when the list is one patient's; and the next page's cursor."""
    query = keyset.query(params, **values)
    rows = await reads.page(listing, actor, query, shown=params.limit, patient_id=about_patient)
    return keyset.cut(rows, params)
