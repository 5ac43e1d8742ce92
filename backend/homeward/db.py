"""Engine, session factory, declarative base and the per-request transaction."""

import uuid
from collections.abc import AsyncIterator
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator
from starlette.concurrency import run_in_threadpool

from homeward import clock
from homeward.settings import Settings

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

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return clock.now()


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


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL for concurrent readers; synchronous=FULL so an acknowledged write survives a crash.
    # The driver's own transaction handling is switched off so SQLAlchemy's BEGIN (below)
    # and SAVEPOINTs behave as documented.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    # Every request writes (at least its audit event): taking the write lock up front
    # avoids the read-then-upgrade deadlock that SQLite answers with "database is locked".
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def ensure_sqlite_directory(database_url: str) -> None:
    """SQLite creates the file but not its folder (./var/ on a fresh clone)."""
    path = database_url.removeprefix("sqlite:///")
    if database_url.startswith("sqlite:///") and path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def make_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        ensure_sqlite_directory(settings.database_url)
        engine = create_engine(settings.database_url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    # No pre-ping: it would cost a round trip per request. A connection the server has
    # dropped fails one request, and SQLAlchemy then discards the pool's stale connections.
    return create_engine(settings.database_url, pool_size=10, max_overflow=20)


# The request's Session, for the endpoint wrapper that commits it in the endpoint's thread.
request_session: ContextVar[Session | None] = ContextVar("request_session", default=None)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed after the endpoint returns, rolled back on error.

    The commit normally runs in the endpoint's own worker thread (see `homeward.routing`),
    so a request costs one thread hop; what is left here (work done after the endpoint, an
    error's rollback) is finished in a worker thread too, never on the event loop.

    A `DomainError` with `persist_changes` (a failed login attempt, a denied access
    audit event) still commits, because what it recorded must outlive the error.
    """
    from homeward.errors import DomainError

    factory: sessionmaker[Session] = request.app.state.session_factory
    db = factory()
    token = request_session.set(db)
    try:
        yield db
        if db.in_transaction():
            await run_in_threadpool(db.commit)
    except DomainError as error:
        await run_in_threadpool(db.commit if error.persist_changes else db.rollback)
        raise
    except BaseException:
        await run_in_threadpool(db.rollback)
        raise
    finally:
        request_session.reset(token)
        if db.in_transaction():
            await run_in_threadpool(db.close)
        else:
            db.close()


# scope="function" runs the commit before the response is sent, so a failed commit is a 500.
DbSession = Annotated[Session, Depends(get_db, scope="function")]
