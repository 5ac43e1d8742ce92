"""The connections PostgreSQL reads and attendance saves run on from the event loop.

A server opens a pool of its own (`open_read_pool`). An app given a session factory
bound to one connection (the tests', whose data lives in a transaction that no other
connection can see) lends that connection instead (`LentPool`): the same statements,
built and run by the same code, on the connection that can see the data. So the whole
suite on PostgreSQL runs the path production serves, not the Session's.
"""

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, cast

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Connection
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from homeward.db import POSTGRES_SESSION_OPTIONS

ReadPool = AsyncConnectionPool[AsyncConnection[Any]]

# These connections only read a row by key or a page by index. With PostgreSQL's
# default price of a random page read (4, for spinning disks) a page of 50 enrollments
# was joined to its patients by reading every patient (a hash join over a full scan)
# instead of 51 index lookups. The Session's connections keep the default: the
# tapering evaluation's set-based queries were planned and measured with it.
_READ_POOL_OPTIONS = f"{POSTGRES_SESSION_OPTIONS} -c random_page_cost=1.1"


def open_read_pool(database_url: str, size: int, timeout: float) -> ReadPool:
    """A pool of autocommit connections, not yet opened (`await pool.open()`).

    A request waits `timeout` seconds for a connection, then answers 503 (`PoolTimeout`).
    """
    url = make_url(database_url).set(drivername="postgresql")
    return AsyncConnectionPool(
        url.render_as_string(hide_password=False),
        # Opened up front: a pool that grows under load is slow for its first seconds.
        min_size=size,
        max_size=size,
        kwargs={"autocommit": True, "options": _READ_POOL_OPTIONS},
        timeout=timeout,
        open=False,
        name="audited-reads",
    )


class _Rows:
    """What a statement returned, read as an `AsyncCursor` is."""

    def __init__(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self._rows = list(rows)

    async def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    async def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows


class _LentConnection:
    """The part of `AsyncConnection` the pooled code uses, over one SQLAlchemy Connection.

    Each statement runs in a savepoint, so that one which fails leaves the transaction
    usable, as it would on an autocommit connection; its error is the driver's own, as
    a pooled connection raises it. Statements go through SQLAlchemy's events, so query
    counts see them. Results arrive in text rather than binary: the same Python values.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.statements_run = 0  # for the suite's count of tests that ran this path

    async def execute(
        self, query: str, params: Mapping[str, Any] | None = None, *, binary: bool = False
    ) -> _Rows:
        self.statements_run += 1
        with self._connection.begin_nested():
            try:
                result = self._connection.exec_driver_sql(query, dict(params or {}))
            except DBAPIError as error:
                raise error.orig from None  # type: ignore[misc]  # always a driver error here
            rows = [tuple(row) for row in result] if result.returns_rows else []
        return _Rows(rows)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        with self._connection.begin_nested():
            yield


class LentPool:
    """A pool of one connection: the one a session factory is bound to."""

    def __init__(self, connection: Connection) -> None:
        self._connection = _LentConnection(connection)

    @property
    def statements_run(self) -> int:
        return self._connection.statements_run

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[_LentConnection]:
        yield self._connection


def lent_pool(session_factory: sessionmaker[Session]) -> ReadPool | None:
    """A `LentPool` of the connection `session_factory` is bound to; None if bound to
    an engine (whose server opens a pool of its own)."""
    bind = session_factory.kw.get("bind")
    if not isinstance(bind, Connection) or bind.dialect.name != "postgresql":
        return None
    # It does what the pooled code asks of a pool; see `_LentConnection`.
    return cast(ReadPool, LentPool(bind))
