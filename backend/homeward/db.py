"""Engine, session factory, declarative base, and the request's Session (opened by its route)."""

import uuid
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import DateTime, MetaData, Result, create_engine, event
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from homeward import clock
from homeward.settings import Settings
from homeward.sqlite_turns import TurnTakingConnection, connection_class
from homeward.zones import SQLITE_FUNCTION, local_day_of

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always hands back an aware datetime (SQLite forgets the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        # Keyset cursors decode values by the column's Python type.
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a timezone")
        return value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        # PostgreSQL sessions run in UTC (see `make_engine`), and the driver then hands
        # back datetimes in `UTC` already: nothing to do for each of a list's many rows.
        if dialect.name == "postgresql":
            return None
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return clock.now()


def utcnow_to_the_second() -> datetime:
    """Now, as an audit event records it."""
    return clock.now().replace(microsecond=0)


def str_enum(enum_class: type[StrEnum], length: int = 32) -> SAEnum:
    """A StrEnum stored as its value in a VARCHAR (no native enum to migrate)."""
    return SAEnum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def _sqlite_pragmas(wait_seconds: float) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # WAL for concurrent readers; synchronous=FULL so an acknowledged write survives a
        # crash. The driver's own transaction handling is switched off so SQLAlchemy's
        # BEGIN (below) and SAVEPOINTs behave as documented. A request waits for the
        # write lock as long as it would for a connection; then it answers 503.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(wait_seconds * 1000)}")
        cursor.close()
        dbapi_connection.create_function(SQLITE_FUNCTION, 2, local_day_of, deterministic=True)

    return on_connect


def _sqlite_begin_immediate(wait_seconds: float) -> Callable[[Any], None]:
    def begin(connection: Any) -> None:
        # Every request writes (at least its audit event): taking the write lock up front
        # avoids the read-then-upgrade deadlock that SQLite answers with "database is
        # locked". The process's writers take it in turn (`homeward.sqlite_turns`).
        dbapi_connection = connection.connection.dbapi_connection
        if isinstance(dbapi_connection, TurnTakingConnection):
            dbapi_connection.take_turn(wait_seconds)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if isinstance(dbapi_connection, TurnTakingConnection):
                dbapi_connection.give_turn_back()
            raise

    return begin


def ensure_sqlite_directory(database_url: str) -> None:
    """SQLite creates the file but not its folder (./var/ on a fresh clone)."""
    path = database_url.removeprefix("sqlite:///")
    if database_url.startswith("sqlite:///") and path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True)
class ConnectionBudget:
    """How a process's `db_connections` are shared out (see README, "Configuration").

    `session` connections serve the request Sessions (and the chain sealer and, in a
    server that delivers webhooks itself, the delivery loop); the worker threads that
    run requests are as many, so that no thread waits for a connection another thread's
    request is not using. `reads` go to the audited-read pool; `listener` is the
    delivery loop's LISTEN connection on PostgreSQL.
    """

    session: int
    reads: int
    listener: int = 0


def connection_budget(settings: Settings, pooled_reads: bool) -> ConnectionBudget:
    listener = int(settings.webhook_worker_in_process and not settings.is_sqlite)
    spare = settings.db_connections - listener - 1  # at least one for the Sessions
    reads = min(settings.read_pool_size, spare) if pooled_reads else 0
    return ConnectionBudget(
        session=settings.db_connections - reads - listener, reads=reads, listener=listener
    )


def make_engine(settings: Settings, pool_size: int | None = None) -> Engine:
    """The engine, with a pool of at most `pool_size` connections (all of the budget).

    Bound values never reach a log or an error message (`hide_parameters`): they are
    patients' names, birth dates and records. The pool never grows past its size, so
    no connection is opened for one request and closed after it; a request that finds
    none free waits `db_wait_seconds` and then answers 503.
    """
    pool: dict[str, Any] = {"hide_parameters": True}
    database = make_url(settings.database_url).database
    on_file = database not in (None, "", ":memory:")
    if on_file:
        # An in-memory SQLite database is one connection per thread; it has no pool.
        pool |= {
            "pool_size": pool_size or settings.db_connections,
            "max_overflow": 0,
            "pool_timeout": settings.db_wait_seconds,
        }
    if settings.is_sqlite:
        ensure_sqlite_directory(settings.database_url)
        connect_args: dict[str, Any] = {"check_same_thread": False}
        if on_file and database:
            connect_args["factory"] = connection_class(str(Path(database).resolve()))
        engine = create_engine(settings.database_url, connect_args=connect_args, **pool)
        event.listen(engine, "connect", _sqlite_pragmas(settings.db_wait_seconds))
        event.listen(engine, "begin", _sqlite_begin_immediate(settings.db_wait_seconds))
        return engine
    # No pre-ping: it would cost a round trip per request. A connection the server has
    # dropped fails one request, and SQLAlchemy then discards the pool's stale connections.
    return create_engine(
        settings.database_url, connect_args={"options": POSTGRES_SESSION_OPTIONS}, **pool
    )


# UTC, so that timestamps come back as the application stores them; the same for the
# Session's connections and the pooled reads' (`audit/reads.py`).
POSTGRES_SESSION_OPTIONS = "-c TimeZone=UTC"


class RequestSession:
    """A request's Session, opened when first asked for.

    Reads served from the pool (`audit/reads.py`) never touch it; building and closing
    a Session they do not use was a twentieth of such a request.
    """

    __slots__ = ("factory", "opened")

    def __init__(self, factory: "sessionmaker[Session]") -> None:
        self.factory = factory
        self.opened: Session | None = None

    def get(self) -> Session:
        if self.opened is None:
            self.opened = self.factory()
        return self.opened


# The request's Session, committed by its route (see `homeward.http.routing`).
request_session: ContextVar[RequestSession | None] = ContextVar("request_session", default=None)


def current_session() -> Session:
    """The request's Session, for dependencies that need it without a sub-dependency."""
    holder = request_session.get()
    if holder is None:
        raise RuntimeError("no request session: only routes of `api_router` have one")
    return holder.get()


def as_dicts(result: Result[Any]) -> list[dict[str, Any]]:
    """A result's rows as plain dicts, for Pydantic to read or JSON to be written from.

    Pydantic reads a dict several times faster than a `RowMapping`.
    """
    make = dict_maker(tuple(result.keys()))
    return list(map(make, result.all()))


@lru_cache(maxsize=512)
def dict_maker(keys: tuple[str, ...]) -> Callable[[Sequence[Any]], dict[str, Any]]:
    """A function that makes `{key: value}` of a row's values, given in `keys` order.

    It unpacks the row and returns a dict display, which builds a page of fifty rows in
    a third of the time `dict(zip(keys, row))` takes; lists build one per request.
    """
    if not keys:
        return lambda row: {}
    names = [f"v{i}" for i in range(len(keys))]
    # Keys go into the source as literals (repr); values never do.
    entries = ", ".join(f"{key!r}: {name}" for key, name in zip(keys, names, strict=True))
    source = f"def make(row):\n    {', '.join(names)}, = row\n    return {{{entries}}}\n"
    namespace: dict[str, Any] = {}
    exec(source, namespace)
    made: Callable[[Sequence[Any]], dict[str, Any]] = namespace["make"]
    return made


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


async def get_db() -> Session:
    """The request's Session, which its route opens and commits (see `homeward.http.routing`)."""
    return current_session()


DbSession = Annotated[Session, Depends(get_db)]
