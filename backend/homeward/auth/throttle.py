"""Failed sign-ins, counted per key with one atomic statement, and the locks they lead to.

Reading a count and writing it back lost counts to parallel attempts (every one of
them read the same row), and two first attempts raced to insert it. One upsert that
increments and returns the new count is atomic on SQLite and PostgreSQL alike.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Insert, Table, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from homeward.auth.models import SignInThrottle

_TABLE = cast(Table, SignInThrottle.__table__)


@dataclass(frozen=True)
class Limit:
    key: str
    max_failures: int


@dataclass(frozen=True)
class Lock:
    key: str
    until: datetime


def insert(db: Session) -> type[Insert]:
    """The dialect's INSERT, which has ON CONFLICT."""
    if db.get_bind().dialect.name == "postgresql":
        return postgresql.insert  # type: ignore[return-value]
    return sqlite.insert  # type: ignore[return-value]


def count_failure(db: Session, limit: Limit, now: datetime, window: timedelta) -> Lock | None:
    """Count one failure under `limit.key`; the lock it is under afterwards, if any.

    `max_failures` failures inside one window lock the key for a window's length.
    """
    expired = _TABLE.c.window_started_at <= now - window
    failures = case((expired, 1), else_=_TABLE.c.failures + 1)
    statement = (
        insert(db)(_TABLE)
        .values(
            key=limit.key,
            failures=1,
            window_started_at=now,
            locked_until=now + window if limit.max_failures <= 1 else None,
        )
        .on_conflict_do_update(  # type: ignore[attr-defined]
            index_elements=[_TABLE.c.key],
            set_={
                "failures": failures,
                "window_started_at": case((expired, now), else_=_TABLE.c.window_started_at),
                "locked_until": case(
                    (failures >= limit.max_failures, now + window),
                    else_=_TABLE.c.locked_until,
                ),
            },
        )
        .returning(_TABLE.c.locked_until)
    )
    locked_until = db.execute(statement).scalar_one()
    return Lock(limit.key, locked_until) if locked_until and locked_until > now else None


def current_lock(db: Session, keys: list[str], now: datetime) -> Lock | None:
    """The longest lock in force on any of `keys`."""
    row = db.execute(
        select(_TABLE.c.key, _TABLE.c.locked_until)
        .where(_TABLE.c.key.in_(keys), _TABLE.c.locked_until > now)
        .order_by(_TABLE.c.locked_until.desc())
        .limit(1)
    ).first()
    return Lock(row.key, row.locked_until) if row else None


def forget(db: Session, key: str) -> None:
    db.execute(delete(_TABLE).where(_TABLE.c.key == key))
