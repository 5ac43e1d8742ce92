"""Counting the SQL statements a block of code runs, for query-count tests and benchmarks."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session


@contextmanager
def count_queries(db: Session) -> Iterator[list[str]]:
    """Collects every SQL statement run on `db`'s connection inside the block.

    That includes a `COPY` sent through the driver itself, past SQLAlchemy's events.
    """
    statements: list[str] = []
    connection = db.connection()
    driver = connection.connection.driver_connection

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", before)
    factory = getattr(driver, "cursor_factory", None)
    if factory is not None:
        driver.cursor_factory = _copies_counted(factory, statements)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", before)
        if factory is not None:
            driver.cursor_factory = factory


def _copies_counted(cursor_class: type, statements: list[str]) -> type:
    """A subclass of the driver's cursor that notes each COPY it starts."""

    class Counted(cursor_class):  # type: ignore[misc,valid-type]
        def copy(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
            statements.append(str(statement))
            return super().copy(statement, *args, **kwargs)

    return Counted


def audited_read_statements(db: Session) -> int:
    """The statements a read and its audit event take: on PostgreSQL they are one
    (`audit/reads.py`), on SQLite the read and then the event's insert."""
    return 1 if db.get_bind().dialect.name == "postgresql" else 2
