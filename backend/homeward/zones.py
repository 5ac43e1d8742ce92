"""A moment's day on a program's calendar, computed by the database on both dialects.

A session sits on its program's local day, and rules such as "rostered from the
admission day on" compare dates on that calendar. PostgreSQL knows time zones; SQLite
does not, so there the same expression calls `local_day_of`, registered on each
connection by `homeward.db`. This is the one place the two databases differ here.
"""

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

SQLITE_FUNCTION = "homeward_local_day"


class local_day(FunctionElement[date]):
    """`local_day(instant, zone)`: the date `instant` falls on in the IANA zone `zone`."""

    type = Date()
    inherit_cache = True


@compiles(local_day)
def _on_sqlite(element: local_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{SQLITE_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(local_day, "postgresql")
def _on_postgresql(element: local_day, compiler: SQLCompiler, **kw: Any) -> str:
    instant, zone = element.clauses
    return (
        f"CAST(timezone({compiler.process(zone, **kw)}, {compiler.process(instant, **kw)}) AS DATE)"
    )


def local_day_of(stored: str | None, zone: str | None) -> str | None:
    """SQLite's side: a stored UTC timestamp's local date, as SQLite stores dates."""
    if stored is None or zone is None:
        return None
    instant = datetime.fromisoformat(stored)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(ZoneInfo(zone)).date().isoformat()
