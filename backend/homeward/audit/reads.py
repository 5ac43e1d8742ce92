"""Reads of patient data that leave their audit event in the same statement.

A single-resource read is the busiest request a clinic makes, and most of its cost
used to be around the query rather than in it: a worker-thread hop, a transaction
opened and committed, the read and the audit INSERT as separate round trips.

On PostgreSQL an `AuditedRead` goes to the server as one statement on a connection
of an asyncio pool, in autocommit:

    WITH read AS (<the read>), audit AS (INSERT INTO audit_events ... SELECT ... FROM read)
    SELECT * FROM read

so the row and its audit event commit together or not at all, and a read that finds
nothing records nothing, as `record` after a read would. Elsewhere (SQLite, and tests,
whose data lives in a transaction no pool connection can see) the same statement runs
on the request's Session, followed by `record`.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import anyio.to_thread
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Select, Table
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from homeward.audit.models import AuditEvent
from homeward.audit.service import Actor, audit_event, record
from homeward.db import POSTGRES_SESSION_OPTIONS, as_dicts

# The event's own values, bound as parameters; what it is about comes from the read's row.
_EVENT_PARAMETERS = ("id", "occurred_at", "actor_type", "actor_id", "ip", "request_id")
_PARAMETER_PREFIX = "audit_"
_AUDIT = cast(Table, AuditEvent.__table__)


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
    columns: list[str] = field(init=False, compare=False, repr=False)
    _postgres_sql: list[str] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        keys = [column.key for column in self.statement.selected_columns]
        object.__setattr__(self, "columns", keys)

    def postgres_sql(self) -> str:
        """The read and its audit INSERT as one PostgreSQL statement, composed once."""
        if not self._postgres_sql:
            dialect = PGDialect_psycopg()  # type: ignore[no-untyped-call]  # untyped upstream
            read = self.statement.compile(dialect=dialect)
            # Typed, so that a NULL (an actor with no id or address) has a type to insert.
            values = [
                f"CAST(%({_PARAMETER_PREFIX}{name})s AS {_AUDIT.c[name].type.compile(dialect)})"
                for name in _EVENT_PARAMETERS
            ]
            self._postgres_sql.append(
                f"WITH read AS ({read}), audit AS ("
                f"INSERT INTO {_AUDIT.name} ({', '.join(_EVENT_PARAMETERS)}, outcome, action, "
                "resource_type, resource_id, patient_id) "
                f"SELECT {', '.join(values)}, 'success', {_literal(self.action)}, "
                f"{_literal(self.resource_type)}, "
                f"CAST(read.{self.resource_column} AS VARCHAR), read.{self.patient_column} "
                "FROM read) SELECT * FROM read"
            )
        return self._postgres_sql[0]


def _literal(name: str) -> str:
    # Actions and resource types are identifiers written in code, never input.
    if not name.replace(".", "").replace("_", "").isalnum():
        raise ValueError(f"not an audit name: {name!r}")
    return f"'{name}'"


class AuditedReads(Protocol):
    async def one(
        self, read: AuditedRead, actor: Actor, parameters: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The row `read` finds, as a dict, with its audit event committed; None if none."""
        ...


class PooledReads:
    """`AuditedReads` on PostgreSQL: one statement on a pooled autocommit connection."""

    def __init__(self, pool: AsyncConnectionPool[AsyncConnection[Any]]) -> None:
        self.pool = pool

    async def one(
        self, read: AuditedRead, actor: Actor, parameters: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        event = audit_event(actor, read.action, read.resource_type)
        bound = {f"{_PARAMETER_PREFIX}{name}": event[name] for name in _EVENT_PARAMETERS}
        bound.update(parameters)
        async with self.pool.connection() as connection:
            cursor = await connection.execute(read.postgres_sql(), bound)
            row = await cursor.fetchone()
        return None if row is None else dict(zip(read.columns, row, strict=True))


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
        rows = as_dicts(self.db.connection().execute(read.statement, dict(parameters)))
        if not rows:
            return None
        row = rows[0]
        resource_id: uuid.UUID = row[read.resource_column]
        record(
            self.db,
            actor,
            read.action,
            read.resource_type,
            resource_id,
            patient_id=row[read.patient_column],
        )
        self.db.commit()
        return row


def open_read_pool(database_url: str, size: int) -> AsyncConnectionPool[AsyncConnection[Any]]:
    """A pool for `PooledReads`, not yet opened (`await pool.open()`)."""
    url = make_url(database_url).set(drivername="postgresql")
    return AsyncConnectionPool(
        url.render_as_string(hide_password=False),
        # Opened up front: a pool that grows under load is slow for its first seconds.
        min_size=size,
        max_size=size,
        kwargs={"autocommit": True, "options": POSTGRES_SESSION_OPTIONS},
        open=False,
        name="audited-reads",
    )
